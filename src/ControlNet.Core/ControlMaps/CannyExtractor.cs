using ControlNet.Core.Imaging;

namespace ControlNet.Core.ControlMaps;

/// <summary>`canny`: the reference annotator's <c>cv2.Canny(img, low, high)</c> on the RGB image.</summary>
public sealed class CannyExtractor : IControlMapExtractor
{
    public string Name => "canny";
    public static readonly ExtractorParameter Low = new("low", 100, 0, 100_000, false, "hysteresis low threshold (cv2.Canny threshold1)");
    public static readonly ExtractorParameter High = new("high", 200, 0, 100_000, false, "hysteresis high threshold (cv2.Canny threshold2)");

    public IReadOnlyList<ExtractorParameter> Parameters { get; } = [Low, High];

    public ByteImage Extract(ByteImage source, ControlMapParameters parameters)
    {
        ((IControlMapExtractor)this).CheckParameters(parameters);
        double low = parameters.Read(Low);
        double high = parameters.Read(High);
        return CannyEdgeDetector.Detect(source, low, high);
    }
}
