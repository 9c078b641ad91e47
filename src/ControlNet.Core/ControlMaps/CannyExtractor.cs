using ControlNet.Core.Imaging;

namespace ControlNet.Core.ControlMaps;

/// <summary>`canny`: the reference annotator's <c>cv2.Canny(img, low, high)</c> on the RGB image.</summary>
public sealed class CannyExtractor : IControlMapExtractor
{
    public string Name => "canny";
    public IReadOnlyList<string> ParameterNames { get; } = ["low", "high"];

    public ByteImage Extract(ByteImage source, ControlMapParameters parameters)
    {
        parameters.RejectUnknown(Name, ParameterNames);
        double low = parameters.GetDouble("low", 100, 0, 100_000);
        double high = parameters.GetDouble("high", 200, 0, 100_000);
        return CannyEdgeDetector.Detect(source, low, high);
    }
}
