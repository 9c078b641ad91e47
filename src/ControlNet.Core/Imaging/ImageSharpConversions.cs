using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ControlNet.Core.Imaging;

/// <summary>Wraps a <see cref="ByteImage"/> as an ImageSharp image for encoding (resizing is <see cref="OpenCvResize"/>'s).</summary>
internal static class ImageSharpConversions
{
    public static Image ToImageSharp(ByteImage image) => image.Channels == 1
        ? Image.LoadPixelData<L8>(image.Data, image.Width, image.Height)
        : Image.LoadPixelData<Rgb24>(image.Data, image.Width, image.Height);
}
