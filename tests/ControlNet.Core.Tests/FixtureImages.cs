using ControlNet.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ControlNet.Core.Tests;

/// <summary>Committed reference images: loading them as stored, and comparing pixel for pixel with a useful message.</summary>
internal static class FixtureImages
{
    /// <summary>A lossless PNG as 1 (gray) or 3 (RGB) channels, without HWC3 or any other conversion.</summary>
    public static ByteImage Load(string path, int channels)
    {
        if (channels == 1)
        {
            using var gray = Image.Load<L8>(path);
            var image = new ByteImage(gray.Width, gray.Height, 1);
            gray.CopyPixelDataTo(image.Data);
            return image;
        }
        using var rgb = Image.Load<Rgb24>(path);
        var colour = new ByteImage(rgb.Width, rgb.Height, 3);
        rgb.CopyPixelDataTo(colour.Data);
        return colour;
    }

    /// <summary>Asserts equal size, channels and bytes; on failure says how many values differ and where the first is.</summary>
    public static void AssertSame(ByteImage expected, ByteImage actual, string what)
    {
        Assert.Equal((expected.Width, expected.Height, expected.Channels), (actual.Width, actual.Height, actual.Channels));
        int differing = 0, first = -1, largest = 0;
        for (int i = 0; i < expected.Data.Length; i++)
        {
            if (expected.Data[i] == actual.Data[i]) continue;
            if (differing++ == 0) first = i;
            largest = Math.Max(largest, Math.Abs(expected.Data[i] - actual.Data[i]));
        }
        int pixel = first / Math.Max(1, expected.Channels);
        Assert.True(differing == 0,
            $"{what}: {differing} of {expected.Data.Length} values differ from OpenCV (largest by {largest}); first at " +
            $"(x {pixel % expected.Width}, y {pixel / expected.Width}, channel {first % expected.Channels}): " +
            $"expected {(first < 0 ? 0 : expected.Data[first])}, got {(first < 0 ? 0 : actual.Data[first])}.");
    }
}
