using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace ControlNet.Core.Text;

/// <summary>A prompt as the CLIP text encoder takes it.</summary>
/// <param name="InputIds"><c>&lt;|startoftext|&gt;</c>, the prompt's first <c>MaxLength − 2</c> ids,
/// <c>&lt;|endoftext|&gt;</c>, then <c>&lt;|endoftext|&gt;</c> again up to <c>MaxLength</c> ids.</param>
/// <param name="PromptTokenCount">How many ids the whole prompt has, before truncation, without the start and end tokens.</param>
/// <param name="TruncatedTokenCount">How many of those ids did not fit and were dropped.</param>
public sealed record TokenizedPrompt(int[] InputIds, int PromptTokenCount, int TruncatedTokenCount);

/// <summary>
/// CLIP's byte-level BPE tokenizer as OpenAI CLIP's <c>simple_tokenizer.py</c> defines it, with the padding
/// Stable Diffusion 1.x uses (Hugging Face <c>CLIPTokenizer</c>, <c>padding="max_length"</c>, <c>max_length=77</c>,
/// truncation on): ids are padded with <c>&lt;|endoftext|&gt;</c>. Thread-safe.
/// </summary>
public sealed class ClipTokenizer
{
    public const int DefaultMaxLength = 77;
    public const string StartOfTextToken = "<|startoftext|>";
    public const string EndOfTextToken = "<|endoftext|>";
    public const string VocabularyFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";
    const string EndOfWord = "</w>";

    // The reference keeps merges[1:49152-256-2+1]: the 48,894 merges after the "#version" line that, with the
    // 512 byte symbols and 2 special tokens, make CLIP's 49,408-entry vocabulary.
    const int MaxMerges = 49152 - 256 - 2;

    // Words seen are cached as the reference does; bounded so that a long-running service cannot grow it forever.
    const int MaxCachedWords = 100_000;

    static readonly char[] ByteToUnicode = BuildByteToUnicode();

    readonly Dictionary<(int First, int Second), (int Rank, int Merged)> _merges;
    readonly int[] _byteIds = new int[256];
    readonly int[] _byteEndOfWordIds = new int[256];
    readonly ConcurrentDictionary<string, int[]> _wordCache = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _wordCacheBySpan;
    int _cachedWordCount;

    ClipTokenizer(Dictionary<string, int> vocabulary, List<(string First, string Second, int Line)> merges, int maxLength)
    {
        if (maxLength < 2)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "The maximum length must leave room for the start and end tokens (at least 2).");
        MaxLength = maxLength;
        StartOfTextId = RequireToken(vocabulary, StartOfTextToken);
        EndOfTextId = RequireToken(vocabulary, EndOfTextToken);
        VocabularySize = vocabulary.Count;
        for (int b = 0; b < 256; b++)
        {
            _byteIds[b] = RequireToken(vocabulary, ByteToUnicode[b].ToString());
            _byteEndOfWordIds[b] = RequireToken(vocabulary, ByteToUnicode[b] + EndOfWord);
        }

        _merges = new Dictionary<(int, int), (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (first, second, line) = merges[rank];
            if (!vocabulary.TryGetValue(first, out int firstId) || !vocabulary.TryGetValue(second, out int secondId)
                || !vocabulary.TryGetValue(first + second, out int mergedId))
                throw new InvalidInputException($"{MergesFileName} line {line}: merge '{first} {second}' uses or makes a symbol that is not in {VocabularyFileName}.");
            _merges.TryAdd((firstId, secondId), (rank, mergedId));
        }
        _wordCacheBySpan = _wordCache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Length of <see cref="TokenizedPrompt.InputIds"/> (77 for Stable Diffusion 1.x).</summary>
    public int MaxLength { get; }
    public int StartOfTextId { get; }
    public int EndOfTextId { get; }
    public int VocabularySize { get; }

    /// <summary>Loads <c>vocab.json</c> and <c>merges.txt</c> from a folder such as a Stable Diffusion export's <c>tokenizer/</c>.</summary>
    public static ClipTokenizer FromDirectory(string directory, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new InvalidInputException($"CLIP tokenizer folder '{directory}' does not exist; it should hold {VocabularyFileName} and {MergesFileName}.");
        string vocabularyPath = RequireFile(directory, VocabularyFileName);
        string mergesPath = RequireFile(directory, MergesFileName);
        using var vocabulary = File.OpenRead(vocabularyPath);
        using var merges = File.OpenRead(mergesPath);
        return FromStreams(vocabulary, merges, maxLength);
    }

    /// <summary>Loads a tokenizer from the contents of <c>vocab.json</c> (token → id) and <c>merges.txt</c> (UTF-8).</summary>
    public static ClipTokenizer FromStreams(Stream vocabularyJson, Stream merges, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(vocabularyJson);
        ArgumentNullException.ThrowIfNull(merges);
        Dictionary<string, int> vocabulary;
        try
        {
            vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(vocabularyJson)
                ?? throw new InvalidInputException($"{VocabularyFileName} is null; expected an object mapping tokens to ids.");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{VocabularyFileName} is not a JSON object mapping tokens to integer ids: {e.Message}", e);
        }
        return new ClipTokenizer(vocabulary, ReadMerges(merges), maxLength);
    }

    /// <summary>
    /// Writes the smallest vocabulary this tokenizer accepts: the 256 byte symbols, the same with <c>&lt;/w&gt;</c>,
    /// <c>&lt;|startoftext|&gt;</c> (512) and <c>&lt;|endoftext|&gt;</c> (513), and a merges file with no merges —
    /// every byte of the UTF-8 text becomes one token. For tiny test models.
    /// </summary>
    public static void WriteByteLevelVocabulary(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        // Ids in the reference's order: list(bytes_to_unicode().values()), printable bytes first ('!' = 0).
        char[] symbols = ByteToUnicode.Order().ToArray();
        var vocabulary = new Dictionary<string, int>(514);
        for (int i = 0; i < 256; i++)
            vocabulary[symbols[i].ToString()] = i;
        for (int i = 0; i < 256; i++)
            vocabulary[symbols[i] + EndOfWord] = 256 + i;
        vocabulary[StartOfTextToken] = 512;
        vocabulary[EndOfTextToken] = 513;
        File.WriteAllText(Path.Combine(directory, VocabularyFileName), JsonSerializer.Serialize(vocabulary), new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(directory, MergesFileName), "#version: 0.2\n", new UTF8Encoding(false));
    }

    /// <summary>Tokenizes a prompt: clean-up, split into words, BPE, then start/end tokens, truncation and padding.</summary>
    public TokenizedPrompt Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string cleaned = ClipTextNormalizer.Normalize(text);
        var words = new List<(int Start, int Length)>();
        ClipPreTokenizer.Split(cleaned, words);
        var promptIds = new List<int>(words.Count * 2);
        foreach (var (start, length) in words)
            promptIds.AddRange(WordIds(cleaned.AsSpan(start, length)));

        int capacity = MaxLength - 2;
        int kept = Math.Min(promptIds.Count, capacity);
        var inputIds = new int[MaxLength];
        inputIds[0] = StartOfTextId;
        promptIds.CopyTo(0, inputIds, 1, kept);
        inputIds.AsSpan(1 + kept).Fill(EndOfTextId);
        return new TokenizedPrompt(inputIds, promptIds.Count, promptIds.Count - kept);
    }

    int[] WordIds(ReadOnlySpan<char> word)
    {
        if (_wordCacheBySpan.TryGetValue(word, out int[]? cached))
            return cached;
        int[] ids = word.SequenceEqual(StartOfTextToken) ? [StartOfTextId]
            : word.SequenceEqual(EndOfTextToken) ? [EndOfTextId]
            : Bpe(word);
        if (Volatile.Read(ref _cachedWordCount) < MaxCachedWords && _wordCacheBySpan.TryAdd(word, ids))
            Interlocked.Increment(ref _cachedWordCount);
        return ids;
    }

    // simple_tokenizer.bpe: start from the word's UTF-8 bytes (the last one marked end-of-word), then merge the
    // lowest-ranked adjacent pair — every non-overlapping occurrence, left to right — until no pair has a rank.
    int[] Bpe(ReadOnlySpan<char> word)
    {
        int byteCount = Encoding.UTF8.GetByteCount(word);
        byte[] rented = ArrayPool<byte>.Shared.Rent(byteCount);
        int[] symbols = new int[byteCount];
        try
        {
            Encoding.UTF8.GetBytes(word, rented);
            for (int i = 0; i < byteCount - 1; i++)
                symbols[i] = _byteIds[rented[i]];
            symbols[byteCount - 1] = _byteEndOfWordIds[rented[byteCount - 1]];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        int count = byteCount;
        while (count > 1)
        {
            int bestRank = int.MaxValue, first = 0, second = 0, merged = 0;
            for (int i = 0; i < count - 1; i++)
            {
                if (_merges.TryGetValue((symbols[i], symbols[i + 1]), out var merge) && merge.Rank < bestRank)
                    (bestRank, first, second, merged) = (merge.Rank, symbols[i], symbols[i + 1], merge.Merged);
            }
            if (bestRank == int.MaxValue)
                break;

            int written = 0;
            for (int i = 0; i < count; i++)
            {
                if (i < count - 1 && symbols[i] == first && symbols[i + 1] == second)
                {
                    symbols[written++] = merged;
                    i++;
                }
                else
                {
                    symbols[written++] = symbols[i];
                }
            }
            count = written;
        }
        return symbols.AsSpan(0, count).ToArray();
    }

    static List<(string First, string Second, int Line)> ReadMerges(Stream stream)
    {
        var merges = new List<(string, string, int)>();
        using var reader = new StreamReader(stream, new UTF8Encoding(false));
        int lineNumber = 0;
        while (reader.ReadLine() is { } line && merges.Count < MaxMerges)
        {
            lineNumber++;
            // The first line is the "#version: 0.2" header, which the reference skips unread.
            if ((lineNumber == 1 && line.StartsWith('#')) || line.Length == 0)
                continue;
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
                throw new InvalidInputException($"{MergesFileName} line {lineNumber}: expected two symbols separated by a space, found '{line}'.");
            merges.Add((parts[0], parts[1], lineNumber));
        }
        return merges;
    }

    static int RequireToken(Dictionary<string, int> vocabulary, string token) =>
        vocabulary.TryGetValue(token, out int id)
            ? id
            : throw new InvalidInputException($"{VocabularyFileName} has no entry for '{token}'; a CLIP vocabulary needs the 512 byte-level symbols and {StartOfTextToken}/{EndOfTextToken}.");

    static string RequireFile(string directory, string fileName)
    {
        string path = Path.Combine(directory, fileName);
        return File.Exists(path)
            ? path
            : throw new InvalidInputException($"CLIP tokenizer file '{fileName}' is missing from '{directory}'; the folder needs both {VocabularyFileName} and {MergesFileName} (a Stable Diffusion export keeps them in tokenizer/).");
    }

    // simple_tokenizer.bytes_to_unicode: printable Latin-1 bytes map to themselves, the other 68 bytes to
    // U+0100 onwards, so that every byte is a visible character the BPE files can hold.
    static char[] BuildByteToUnicode()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
            map[b] = printable ? (char)b : (char)(256 + next++);
        }
        return map;
    }
}
