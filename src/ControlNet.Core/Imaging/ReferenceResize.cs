using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;

namespace ControlNet.Core.Imaging;

/// <summary>
/// The ControlNet annotators' <c>resize_image(img, resolution)</c>: scale so the short side equals the
/// resolution, then round both sides to multiples of 64 (numpy's round, half to even). Upscaling uses a
/// Lanczos filter and downscaling an area (box) filter, as the reference's INTER_LANCZOS4/INTER_AREA choice.
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
        return ToSize(image, width, height);
    }

    public static ByteImage ToSize(ByteImage image, int width, int height)
    {
        if (width == image.Width && height == image.Height) return image;
        bool upscale = (long)width * height > (long)image.Width * image.Height;
        IResampler sampler = upscale ? KnownResamplers.Lanczos3 : KnownResamplers.Box;
        using var source = ImageSharpConversions.ToImageSharp(image);
        source.Mutate(c => c.Resize(new ResizeOptions
        {
            Size = new Size(width, height),
            Mode = ResizeMode.Stretch,
            Sampler = sampler,
        }));
        return ImageSharpConversions.FromImageSharp(source, image.Channels);
    }

    // max(1, …): a sliver of an image still gets one 64-pixel tile rather than a zero-sized map.
    private static double RoundTo64(double side) => Math.Max(1, Math.Round(side / 64.0, MidpointRounding.ToEven)) * 64;
}
