namespace ControlNet.Core.ControlMaps;

/// <summary>The extractors users can name (CLI `preprocess NAME`, a job's control type).</summary>
public static class ControlMapExtractors
{
    private static readonly IReadOnlyDictionary<string, IControlMapExtractor> ByName =
        new IControlMapExtractor[]
        {
            new CannyExtractor(), new ScribbleExtractor(), new ContentShuffleExtractor(),
            new TileExtractor(), new InvertExtractor(), new PassThroughExtractor(),
        }.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyCollection<string> Names => ByName.Keys.ToList();

    public static IReadOnlyCollection<IControlMapExtractor> All => ByName.Values.ToList();

    public static IControlMapExtractor Get(string name) =>
        ByName.TryGetValue(name, out var extractor)
            ? extractor
            : throw new InvalidInputException($"Unknown control type '{name}'; known: {string.Join(", ", ByName.Keys)}.");
}
