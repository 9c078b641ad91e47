using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ControlNet.Core.Imaging;

/// <summary>Copies between <see cref="ByteImage"/> and ImageSharp images (for resizing and encoding).</summary>
internal static class ImageSharpConversions
{
    public static Image ToImageSharp(ByteImage image) => image.Channels == 1
        ? Image.LoadPixelData<L8>(image.Data, image.Width, image.Height)
        : Image.LoadPixelData<Rgb24>(image.Data, image.Width, image.Height);

    public static ByteImage FromImageSharp(Image image, int channels)
    {
        var result = new ByteImage(image.Width, image.Height, channels);
        if (channels == 1) CopyAs<L8>(image, result.Data);
        else CopyAs<Rgb24>(image, result.Data);
        return result;
    }

    private static void CopyAs<TPixel>(Image image, byte[] target) where TPixel : unmanaged, IPixel<TPixel>
    {
        if (image is Image<TPixel> typed)
        {
            typed.CopyPixelDataTo(target);
            return;
        }
        using var converted = image.CloneAs<TPixel>();
        converted.CopyPixelDataTo(target);
    }
}
