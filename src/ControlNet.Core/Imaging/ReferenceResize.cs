namespace ControlNet.Core.Imaging;

/// <summary>
/// The ControlNet annotators' <c>resize_image(img, resolution)</c> (lllyasviel/ControlNet annotator/util.py):
/// k = resolution / min(H, W), both sides scaled by k and rounded to multiples of 64 (numpy's round, half to
/// even), then <c>cv2.resize</c> with INTER_LANCZOS4 when k &gt; 1 and INTER_AREA otherwise — through
/// <see cref="OpenCvResize"/>, so the result is OpenCV's to the pixel.
/// </summary>
public static class ReferenceResize
{
    public const int MinResolution = 64;
    public const int MaxResolution = 4096;

    public static (int Width, int Height) TargetSize(int width, int height, int resolution)
    {
        if (resolution < MinResolution || resolution > MaxResolution)
            throw new InvalidInputException($"Resolution must be between {MinResolution} and {MaxResolution}, got {resolution}.");
        double k = (double)resolution / Math.Min(width, height);
        double targetHeight = RoundTo64(height * k);
        double targetWidth = RoundTo64(width * k);
        if (Math.Max(targetWidth, targetHeight) > MaxResolution)
            throw new InvalidInputException(
                $"A {width}x{height} image at resolution {resolution} becomes {targetWidth}x{targetHeight}, over the {MaxResolution}-pixel " +
                "limit per side; crop the image to a less extreme aspect ratio or lower the resolution.");
        return ((int)targetWidth, (int)targetHeight);
    }

    public static ByteImage ToResolution(ByteImage image, int resolution)
    {
        var (width, height) = TargetSize(image.Width, image.Height, resolution);
        double k = (double)resolution / Math.Min(image.Width, image.Height);
        return OpenCvResize.Resize(image, width, height, k > 1 ? Interpolation.Lanczos4 : Interpolation.Area);
    }

    /// <summary>
    /// Any other size change (fitting a map to the output size, the tile blur): the same pair of filters,
    /// Lanczos when the image grows and the area average when it shrinks. Returns the image itself at its own size.
    /// </summary>
    public static ByteImage ToSize(ByteImage image, int width, int height)
    {
        if (width == image.Width && height == image.Height) return image;
        bool enlarges = (long)width * height > (long)image.Width * image.Height;
        return OpenCvResize.Resize(image, width, height, enlarges ? Interpolation.Lanczos4 : Interpolation.Area);
    }

    // max(1, …): a sliver of an image still gets one 64-pixel tile rather than a zero-sized map.
    private static double RoundTo64(double side) => Math.Max(1, Math.Round(side / 64.0, MidpointRounding.ToEven)) * 64;
}
