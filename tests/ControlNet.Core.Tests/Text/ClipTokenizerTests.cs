using System.IO.Compression;
using System.Text.Json;
using ControlNet.Core.Text;

namespace ControlNet.Core.Tests.Text;

// Expected ids come from OpenAI CLIP's simple_tokenizer.py (Fixtures/clip-tokenizer/make_expected.py).
public sealed class ClipTokenizerTests : IDisposable
{
    const int StartOfText = 49406;
    const int EndOfText = 49407;

    static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "clip-tokenizer");
    static readonly Lazy<ClipTokenizer> Clip = new(() => LoadClip());
    static readonly Lazy<Dictionary<string, ReferenceCase>> Reference = new(LoadReference);

    readonly DirectoryInfo _temporary = Directory.CreateTempSubdirectory("clip-tokenizer-tests-");

    public void Dispose() => _temporary.Delete(recursive: true);

    public static TheoryData<string> ReferencePrompts() => new(LoadReference().Keys);

    [Theory]
    [MemberData(nameof(ReferencePrompts))]
    public void Encodes_like_clip_reference_for_every_prompt(string prompt)
    {
        var expected = Reference.Value[prompt];

        var tokens = Clip.Value.Encode(prompt);

        Assert.Equal(expected.InputIds, tokens.InputIds);
        Assert.Equal(expected.PromptTokenCount, tokens.PromptTokenCount);
        Assert.Equal(Math.Max(0, expected.PromptTokenCount - 75), tokens.TruncatedTokenCount);
    }

    [Fact]
    public void Pads_with_end_token_to_77()
    {
        var tokens = Clip.Value.Encode("a photograph of an astronaut riding a horse");

        int[] prompt = [320, 8853, 539, 550, 18376, 6765, 320, 4558];
        Assert.Equal(77, tokens.InputIds.Length);
        Assert.Equal([StartOfText, .. prompt], tokens.InputIds[..9]);
        Assert.All(tokens.InputIds[9..], id => Assert.Equal(EndOfText, id));
        Assert.Equal(8, tokens.PromptTokenCount);
        Assert.Equal(0, tokens.TruncatedTokenCount);
    }

    [Fact]
    public void Encodes_empty_prompt_as_start_then_end_tokens()
    {
        var tokens = Clip.Value.Encode("  \t\n ");

        Assert.Equal([StartOfText, .. Enumerable.Repeat(EndOfText, 76)], tokens.InputIds);
        Assert.Equal(0, tokens.PromptTokenCount);
    }

    [Fact]
    public void Reports_truncated_tokens()
    {
        var tokens = Clip.Value.Encode(string.Concat(Enumerable.Repeat("word ", 80)));

        Assert.Equal(80, tokens.PromptTokenCount);
        Assert.Equal(5, tokens.TruncatedTokenCount);
        Assert.Equal(StartOfText, tokens.InputIds[0]);
        Assert.All(tokens.InputIds[1..76], id => Assert.Equal(2653, id)); // "word</w>"
        Assert.Equal(EndOfText, tokens.InputIds[76]);
    }

    [Fact]
    public void Max_length_is_configurable()
    {
        using var vocabulary = OpenFixture("vocab.json.gz");
        using var merges = OpenFixture("merges.txt.gz");
        var tokenizer = ClipTokenizer.FromStreams(vocabulary, merges, maxLength: 8);

        var tokens = tokenizer.Encode("a photograph of an astronaut riding a horse");

        Assert.Equal([StartOfText, 320, 8853, 539, 550, 18376, 6765, EndOfText], tokens.InputIds);
        Assert.Equal(8, tokens.PromptTokenCount);
        Assert.Equal(2, tokens.TruncatedTokenCount);
    }

    [Fact]
    public void Rejects_max_length_without_room_for_start_and_end()
    {
        ClipTokenizer.WriteByteLevelVocabulary(_temporary.FullName);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ClipTokenizer.FromDirectory(_temporary.FullName, maxLength: 1));

        Assert.Equal("maxLength", error.ParamName);
    }

    [Fact]
    public void Missing_vocab_file_names_the_file()
    {
        File.WriteAllText(Path.Combine(_temporary.FullName, "merges.txt"), "#version: 0.2\n");

        var error = Assert.Throws<InvalidInputException>(() => ClipTokenizer.FromDirectory(_temporary.FullName));

        Assert.Contains("vocab.json", error.Message);
        Assert.Contains(_temporary.FullName, error.Message);
    }

    [Fact]
    public void Missing_merges_file_names_the_file()
    {
        File.WriteAllText(Path.Combine(_temporary.FullName, "vocab.json"), "{}");

        var error = Assert.Throws<InvalidInputException>(() => ClipTokenizer.FromDirectory(_temporary.FullName));

        Assert.Contains("merges.txt", error.Message);
    }

    [Fact]
    public void Vocabulary_without_special_tokens_is_rejected_by_name()
    {
        File.WriteAllText(Path.Combine(_temporary.FullName, "vocab.json"), """{"a": 0}""");
        File.WriteAllText(Path.Combine(_temporary.FullName, "merges.txt"), "#version: 0.2\n");

        var error = Assert.Throws<InvalidInputException>(() => ClipTokenizer.FromDirectory(_temporary.FullName));

        Assert.Contains("<|startoftext|>", error.Message);
    }

    [Fact]
    public void Byte_level_vocabulary_is_clips_first_512_symbols_plus_start_and_end()
    {
        ClipTokenizer.WriteByteLevelVocabulary(_temporary.FullName);

        var written = ReadJson<Dictionary<string, int>>(File.OpenRead(Path.Combine(_temporary.FullName, "vocab.json")));
        var clip = ReadJson<Dictionary<string, int>>(OpenFixture("vocab.json.gz"));
        var expected = clip.Where(entry => entry.Value < 512).ToDictionary();
        expected["<|startoftext|>"] = 512;
        expected["<|endoftext|>"] = 513;
        Assert.Equal(expected, written);
        Assert.Equal("#version: 0.2", File.ReadAllText(Path.Combine(_temporary.FullName, "merges.txt")).Trim());
    }

    [Fact]
    public void Byte_level_vocabulary_gives_one_token_per_utf8_byte()
    {
        ClipTokenizer.WriteByteLevelVocabulary(_temporary.FullName);
        var tokenizer = ClipTokenizer.FromDirectory(_temporary.FullName);
        var clip = ReadJson<Dictionary<string, int>>(OpenFixture("vocab.json.gz"));

        var tokens = tokenizer.Encode("Hi, café!");

        // "hi" ","  "café" (c a f 0xC3 0xA9) "!" — the byte symbols of 0xC3 and 0xA9 are 'Ã' and '©'.
        int[] prompt = [clip["h"], clip["i</w>"], clip[",</w>"], clip["c"], clip["a"], clip["f"], clip["Ã"], clip["©</w>"], clip["!</w>"]];
        Assert.Equal([512, .. prompt, .. Enumerable.Repeat(513, 77 - 1 - prompt.Length)], tokens.InputIds);
        Assert.Equal(514, tokenizer.VocabularySize);
    }

    [Fact]
    public void Encodes_the_same_from_many_threads()
    {
        var tokenizer = LoadClip();
        string[] prompts = [.. Reference.Value.Keys];

        var results = new int[prompts.Length * 8][];
        Parallel.For(0, results.Length, i => results[i] = tokenizer.Encode(prompts[i % prompts.Length]).InputIds);

        for (int i = 0; i < results.Length; i++)
            Assert.Equal(Reference.Value[prompts[i % prompts.Length]].InputIds, results[i]);
    }

    static ClipTokenizer LoadClip()
    {
        using var vocabulary = OpenFixture("vocab.json.gz");
        using var merges = OpenFixture("merges.txt.gz");
        return ClipTokenizer.FromStreams(vocabulary, merges);
    }

    static Stream OpenFixture(string gzipFileName) =>
        new GZipStream(File.OpenRead(Path.Combine(FixtureDirectory, gzipFileName)), CompressionMode.Decompress);

    static T ReadJson<T>(Stream stream)
    {
        using (stream)
            return JsonSerializer.Deserialize<T>(stream)!;
    }

    static Dictionary<string, ReferenceCase> LoadReference()
    {
        using var stream = File.OpenRead(Path.Combine(FixtureDirectory, "expected.json"));
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        var document = JsonSerializer.Deserialize<ReferenceDocument>(stream, options)!;
        return document.Cases.ToDictionary(c => c.Prompt);
    }

    sealed record ReferenceDocument(ReferenceCase[] Cases);

    sealed record ReferenceCase(string Prompt, int PromptTokenCount, int[] InputIds);
}
