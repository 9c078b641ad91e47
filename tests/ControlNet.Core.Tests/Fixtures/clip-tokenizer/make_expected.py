#!/usr/bin/env python3
"""Writes expected.json: CLIP's reference tokenizer run on the prompts below.

The ids come from OpenAI CLIP's own clip/simple_tokenizer.py (SimpleTokenizer, with its bundled
bpe_simple_vocab_16e6.txt.gz), padded the way Stable Diffusion 1.x pads them (Hugging Face CLIPTokenizer,
padding="max_length", max_length=77, truncation=True): <|startoftext|> + the first 75 ids + <|endoftext|>,
then <|endoftext|> up to 77. The script also checks that vocab.json.gz / merges.txt.gz beside it are the
same vocabulary as the reference builds from its .gz.

Needs: Python 3, the `regex` package (Debian: python3-regex), ftfy 6.x (python3-ftfy where available, or its
source on PYTHONPATH together with python3-wcwidth), and a checkout of github.com/openai/CLIP.

    PYTHONPATH=/path/to/python-ftfy python3 make_expected.py /path/to/CLIP/clip

Generated with ftfy 6.3.1, regex 2022.10.31 (Debian python3-regex), Python 3.11.
Prompts the .NET tokenizer is known not to reproduce (it has no mojibake repair, and no NFC under
InvariantGlobalization) are deliberately left out; ClipTextNormalizer's remarks list them.
"""
import gzip
import importlib.util
import json
import os
import sys

import ftfy  # noqa: F401  (simple_tokenizer imports it; fail early with a clear message if missing)
import regex  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_LENGTH = 77

LONG = ("a highly detailed matte painting of a futuristic city at sunset, volumetric lighting, "
        "octane render, trending on artstation, 8k, ultra realistic, by greg rutkowski and alphonse mucha, "
        "intricate, elegant, sharp focus, concept art, smooth, illustration, cinematic composition, "
        "dramatic clouds, golden hour, reflections on wet streets, flying cars, neon signs, crowds of people")

PROMPTS = [
    # plain prompts
    "a photograph of an astronaut riding a horse",
    "A Photograph Of An Astronaut Riding A Horse",
    "MIXED case WoRdS ShOuTiNg",
    "bird",
    "a",
    "",
    "   ",
    "\t\n  \r\n ",
    "a cat, a dog; a bird: a fish!",
    "what?! no... yes!!! (maybe) [really] {sure} <tag> @user #hashtag $5 50% ^caret* ~tilde` |pipe| \\slash/",
    "...---...",
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
    # numbers
    "pi is 3.14159",
    "1,000,000 dollars",
    "the year 2024 and 1999",
    "0.5x zoom, 16:9 aspect, 1920x1080, f/2.8, ISO-800",
    "²³ ½ ¼ Ⅻ ① ٣ ३ 〇",
    # contractions and apostrophes
    "don't it's we'll I'M they're you've he'd she'll",
    "DON'T IT'S WE'LL THEY'RE YOU'VE HE'D",
    "don’t it’s we’ll ‘quoted’ “double quoted”",
    "'s 't 're 've 'm 'll 'd ''s 'tis rock'n'roll",
    "o'clock o'neill l'amour",
    "the cats' toys and the cat's toy",
    # unicode letters
    "café crème brûlée",
    "naïve coöperation façade",
    "Ñandú in the jungle",
    "Ελληνικά γράμματα ΑΘΗΝΑΣ ΟΔΟΣ",
    "ΣΑΣ ΟΔΟΣ. ΑΣ𝐀 Σ",
    "日本語のテキスト、東京タワー",
    "中文提示词：山水画",
    "한국어 프롬프트",
    "Русский текст, Москва",
    "עברית ועربية",
    "हिन्दी पाठ",
    "straße STRASSE İstanbul ǅemal",
    "ﬁne ﬂowers ﬀ ĳssel",
    "ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ！ ｶﾀｶﾅ",
    "𝐁𝐨𝐥𝐝 math letters and 𠀀 ext-b",
    "the Ångström Ω sign",
    "math digits 𝟙𝟚𝟛 and x\u0345y ypogegrammeni",
    "it'ſ the long s, <|ſtartoftext|>",
    # emoji
    "a happy face 🙂 and a rocket 🚀",
    "family 👨‍👩‍👧‍👦 and flags 🇯🇵🇫🇷 and skin tones 👍🏽",
    "🔥🔥🔥 fire",
    "heart ❤️ star ⭐ check ✓",
    # HTML entities
    "salt &amp; pepper",
    "&lt;b&gt;bold&lt;/b&gt;",
    "<b>bold</b> &amp; stays",
    "&amp;amp; double escaped",
    "&quot;quoted&quot; &#39;single&#39; &apos;apos&apos;",
    "&copy; 2024 &reg; &trade; &euro;100 &nbsp;space",
    "&#x1F680; rocket &#128512; grin &#0; &#129;",
    "R&D AT&T fish&chips &notreal; &amp",
    "P&EACUTE;REZ &ntilde;",
    # whitespace
    "multiple    spaces\tand\ttabs\nand\nnewlines",
    "   leading and trailing   ",
    "line one\r\nline two\rline three\u2028line four\u0085five",
    "non\u00a0breaking\u2003em\u3000ideographic",
    "zero\u200bwidth\u200cnon\u200djoiner",
    "soft\u00adhyphen and bom\ufeffhere",
    "control\x01chars\x07here\x1b[31mred\x1b[0m",
    # special tokens in text
    "<|startoftext|>",
    "a <|startoftext|> b <|endoftext|> c",
    "<|STARTOFTEXT|> shouting <|EndOfText|>",
    "x<|endoftext|>y",
    "!<|endoftext|>",
    # hyphens, underscores, urls, code
    "well-known state-of-the-art under_score snake_case_name",
    "em—dash en–dash minus−sign",
    "https://example.com/path?query=1&x=2#frag",
    "email me at someone@example.org",
    "C:\\Users\\name\\file.txt",
    "print('hello') == True && x != y",
    "(((masterpiece))), [best quality:1.2], <lora:style:0.8>",
    "photo, 85mm, bokeh, f1.4",
    # truncation
    LONG,
    LONG + ", " + LONG,
    "word " * 80,
    "🙂" * 40,
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
]


def load_reference(clip_dir):
    path = os.path.join(clip_dir, "simple_tokenizer.py")
    spec = importlib.util.spec_from_file_location("simple_tokenizer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SimpleTokenizer(os.path.join(clip_dir, "bpe_simple_vocab_16e6.txt.gz"))


def check_fixture_vocabulary(tokenizer):
    with gzip.open(os.path.join(HERE, "vocab.json.gz"), "rt", encoding="utf-8") as f:
        vocabulary = json.load(f)
    if vocabulary != tokenizer.encoder:
        sys.exit("vocab.json.gz differs from the vocabulary the reference builds")
    with gzip.open(os.path.join(HERE, "merges.txt.gz"), "rt", encoding="utf-8") as f:
        merges = [tuple(line.split()) for line in f.read().split("\n")[1:] if line]
    if dict(zip(merges, range(len(merges)))) != tokenizer.bpe_ranks:
        sys.exit("merges.txt.gz differs from the merges the reference uses")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tokenizer = load_reference(sys.argv[1])
    check_fixture_vocabulary(tokenizer)
    start, end = tokenizer.encoder["<|startoftext|>"], tokenizer.encoder["<|endoftext|>"]
    cases = []
    for prompt in PROMPTS:
        ids = tokenizer.encode(prompt)
        kept = ids[: MAX_LENGTH - 2]
        input_ids = [start] + kept + [end] * (MAX_LENGTH - 1 - len(kept))
        cases.append({"prompt": prompt, "prompt_token_count": len(ids), "input_ids": input_ids})
    document = {
        "reference": "openai/CLIP clip/simple_tokenizer.py, padded with <|endoftext|> to 77 as SD1.5's CLIPTokenizer",
        "generator": "make_expected.py",
        "max_length": MAX_LENGTH,
        "cases": cases,
    }
    # One case per line keeps the file short and its diffs readable.
    header = json.dumps({k: v for k, v in document.items() if k != "cases"}, ensure_ascii=False)[:-1]
    lines = [json.dumps(case, ensure_ascii=False) for case in cases]
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        f.write(header + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n")
    print(f"wrote {len(cases)} cases")


if __name__ == "__main__":
    main()
