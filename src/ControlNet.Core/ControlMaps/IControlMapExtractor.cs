using ControlNet.Core.Imaging;

namespace ControlNet.Core.ControlMaps;

/// <summary>Turns a decoded RGB source image into the control map a ControlNet was trained on.</summary>
public interface IControlMapExtractor
{
    /// <summary>The name users type (`canny`, `scribble`, …).</summary>
    string Name { get; }

    /// <summary>The parameter names this extractor reads, for help text and validation.</summary>
    IReadOnlyList<string> ParameterNames { get; }

    /// <param name="source">RGB (3-channel) or gray (1-channel) image.</param>
    /// <returns>The control map; 1 or 3 channels, same size as the source.</returns>
    ByteImage Extract(ByteImage source, ControlMapParameters parameters);
}
