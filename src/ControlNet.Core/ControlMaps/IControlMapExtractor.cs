using ControlNet.Core.Imaging;

namespace ControlNet.Core.ControlMaps;

/// <summary>Turns a decoded RGB source image into the control map a ControlNet was trained on.</summary>
public interface IControlMapExtractor
{
    /// <summary>The name users type (`canny`, `scribble`, …).</summary>
    string Name { get; }

    /// <summary>The parameters this extractor reads: parsing, validation and help text all come from this table.</summary>
    IReadOnlyList<ExtractorParameter> Parameters { get; }

    IReadOnlyList<string> ParameterNames => Parameters.Select(p => p.Name).ToArray();

    /// <summary>Checks parameters without extracting (a job is validated before its input is even read).</summary>
    void CheckParameters(ControlMapParameters parameters)
    {
        parameters.RejectUnknown(Name, ParameterNames);
        foreach (var parameter in Parameters) parameters.Read(parameter);
    }

    /// <param name="source">RGB (3-channel) or gray (1-channel) image.</param>
    /// <returns>The control map; 1 or 3 channels, same size as the source.</returns>
    ByteImage Extract(ByteImage source, ControlMapParameters parameters);
}
