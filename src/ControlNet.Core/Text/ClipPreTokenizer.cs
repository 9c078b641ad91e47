using System.Globalization;
using System.Text;

namespace ControlNet.Core.Text;

/// <summary>
/// Splits cleaned-up text into the words CLIP runs BPE on, exactly as the reference's
/// <c>regex.findall(r"&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", text, re.IGNORECASE)</c>.
/// </summary>
/// <remarks>
/// Written as a scanner over code points rather than a .NET <c>Regex</c> because .NET matches
/// <c>\p{L}</c> and <c>\p{N}</c> per UTF-16 unit: a letter or digit outside the BMP (𠀀, 𝐀, 𝟙) is a
/// surrogate pair, which .NET would class as "other" while Python's <c>regex</c> sees one letter.
/// Categories come from .NET's Unicode tables; only characters assigned after the reference's Unicode
/// version (15.0 for regex 2022.10.31) can be classed differently.
/// </remarks>
internal static class ClipPreTokenizer
{
    static readonly string[] SpecialTokens = [ClipTokenizer.StartOfTextToken, ClipTokenizer.EndOfTextToken];
    static readonly string[] Contractions = ["s", "t", "re", "ve", "m", "ll", "d"];

    enum CharacterClass { Skipped, Letter, Number, Other }

    /// <summary>Appends the (start, length) of each word of <paramref name="text"/> to <paramref name="words"/>.</summary>
    public static void Split(ReadOnlySpan<char> text, List<(int Start, int Length)> words)
    {
        int position = 0;
        while (position < text.Length)
        {
            var (characterClass, width) = Classify(text, position);
            if (characterClass == CharacterClass.Skipped)
            {
                position += width;
                continue;
            }

            int length = MatchLiteral(text, position);
            if (length == 0)
            {
                length = characterClass switch
                {
                    CharacterClass.Letter => RunLength(text, position, CharacterClass.Letter),
                    CharacterClass.Number => width,
                    _ => RunLength(text, position, CharacterClass.Other),
                };
            }
            words.Add((position, length));
            position += length;
        }
    }

    // The alternatives tried before the character classes: the two special tokens, then "'s", "'t", ….
    static int MatchLiteral(ReadOnlySpan<char> text, int position)
    {
        if (text[position] == '<')
        {
            foreach (string token in SpecialTokens)
                if (StartsWithIgnoreCase(text[position..], token))
                    return token.Length;
        }
        else if (text[position] == '\'')
        {
            foreach (string suffix in Contractions)
                if (StartsWithIgnoreCase(text[(position + 1)..], suffix))
                    return 1 + suffix.Length;
        }
        return 0;
    }

    // re.IGNORECASE compares simple case folds; of the letters in these literals only 's' has a fold
    // partner outside ASCII, 'ſ' (U+017F LATIN SMALL LETTER LONG S).
    static bool StartsWithIgnoreCase(ReadOnlySpan<char> text, string literal)
    {
        if (text.Length < literal.Length)
            return false;
        for (int i = 0; i < literal.Length; i++)
        {
            char c = text[i], expected = literal[i];
            bool same = c == expected || (char.IsAsciiLetter(c) && (c | 0x20) == expected) || (expected == 's' && c == '\u017F');
            if (!same)
                return false;
        }
        return true;
    }

    static int RunLength(ReadOnlySpan<char> text, int start, CharacterClass characterClass)
    {
        int position = start;
        while (position < text.Length)
        {
            var (next, width) = Classify(text, position);
            if (next != characterClass)
                break;
            position += width;
        }
        return position - start;
    }

    static (CharacterClass Class, int Width) Classify(ReadOnlySpan<char> text, int position)
    {
        Rune.DecodeFromUtf16(text[position..], out Rune rune, out int width);
        // U+0345 COMBINING GREEK YPOGEGRAMMENI folds to a letter (ι), so under IGNORECASE `regex` matches it
        // with neither [\p{L}] nor [^\s\p{L}\p{N}]: findall skips it like whitespace.
        if (Rune.IsWhiteSpace(rune) || rune.Value == 0x0345)
            return (CharacterClass.Skipped, width);
        var characterClass = Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharacterClass.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharacterClass.Number,
            _ => CharacterClass.Other,
        };
        return (characterClass, width);
    }
}
