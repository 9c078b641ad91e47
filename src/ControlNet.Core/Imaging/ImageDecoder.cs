using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace ControlNet.Core.Imaging;

/// <summary>
/// Decodes user images (PNG, JPEG, WebP, BMP) into RGB <see cref="ByteImage"/>s with the reference
/// annotators' HWC3 rule. The size is read from the header and checked against a megapixel limit
/// before any pixel is decoded, so a decompression bomb costs a header read, not gigabytes.
/// </summary>
public static class ImageDecoder
{
    public const int DefaultMaxMegapixels = 40;

    public const string SupportedFormats = "PNG, JPEG, WebP, BMP";

    // Only the formats we promise; anything else (GIF, TIFF, …) is an "unsupported format" error.
    private static readonly Configuration Formats = new(
        new PngConfigurationModule(),
        new JpegConfigurationModule(),
        new WebpConfigurationModule(),
        new BmpConfigurationModule());

    public static ByteImage DecodeFile(string path, int maxMegapixels = DefaultMaxMegapixels)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"Input image '{path}' does not exist.");
        return Decode(File.ReadAllBytes(path), maxMegapixels, Path.GetFileName(path));
    }

    /// <param name="name">How to call the image in error messages (a file or blob name).</param>
    public static ByteImage Decode(byte[] encoded, int maxMegapixels = DefaultMaxMegapixels, string name = "image")
    {
        if (maxMegapixels <= 0) throw new ArgumentOutOfRangeException(nameof(maxMegapixels));
        if (encoded.Length == 0) throw new InvalidInputException($"{name} is empty (0 bytes); upload a {SupportedFormats} image.");

        var (width, height) = ReadHeaderSize(encoded, name);
        long pixels = (long)width * height;
        if (pixels > maxMegapixels * 1_000_000L)
            throw new InvalidInputException(
                $"{name} is {width}x{height} ({pixels / 1e6:0.#} megapixels), over the decode limit of {maxMegapixels} megapixels; " +
                "downscale it or raise the limit.");

        var format = Image.DetectFormat(Formats, encoded);
        if (format is not null && TruncationCheck.FindProblem(encoded, format.Name) is { } problem)
            throw new InvalidInputException($"{name} is corrupt or truncated: {problem}. Upload the complete file.");
        try
        {
            if (format is PngFormat && PngSixteenBit(encoded) is { } colourType)
            {
                using var deep = Image.Load<Rgba64>(Formats, encoded);
                using var reduced = ReduceAsPillow(deep, colourType);
                return ToRgbOnWhite(reduced);
            }
            using var image = Image.Load<Rgba32>(Formats, encoded);
            return ToRgbOnWhite(image);
        }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidInputException($"{name} could not be decoded ({e.Message.TrimEnd('.')}); the file is corrupt or truncated.", e);
        }
    }

    private static (int Width, int Height) ReadHeaderSize(byte[] encoded, string name)
    {
        IImageInfo? info;
        try
        {
            using var stream = new MemoryStream(encoded, writable: false);
            info = Image.Identify(Formats, stream);
        }
        catch (Exception e) when (e is ImageFormatException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidInputException($"{name} has an unreadable header ({e.Message.TrimEnd('.')}); the file is corrupt or truncated.", e);
        }
        if (info is null)
            throw new InvalidInputException($"{name} is not a supported image format; supported: {SupportedFormats}.");
        if (info.Width <= 0 || info.Height <= 0)
            throw new InvalidInputException($"{name} has an invalid size {info.Width}x{info.Height}.");
        return (info.Width, info.Height);
    }

    /// <summary>The colour type of a 16-bit-per-sample PNG (from IHDR), or null for any other PNG.</summary>
    private static byte? PngSixteenBit(byte[] encoded) =>
        encoded.Length > 25 && encoded[24] == 16 ? encoded[25] : null;

    /// <summary>
    /// 16-bit samples brought to 8 bits as Pillow hands them to the reference annotators: colour and alpha keep their
    /// high byte (Pillow's "RGB;16B"/"RGBA;16B"/"LA;16B" raw modes), while 16-bit gray opens as mode "I;16" and its
    /// conversion to RGB clips at 255 rather than scaling — so a typical 16-bit gray PNG turns mostly white, as it
    /// does in the reference. (ImageSharp would round value·255/65535 instead.)
    /// </summary>
    private static Image<Rgba32> ReduceAsPillow(Image<Rgba64> image, byte colourType)
    {
        bool gray = colourType == 0;
        var pixels = new Rgba64[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        var reduced = new Rgba32[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            reduced[i] = gray
                ? new Rgba32(Clip(p.R), Clip(p.G), Clip(p.B), (byte)(p.A >> 8))
                : new Rgba32((byte)(p.R >> 8), (byte)(p.G >> 8), (byte)(p.B >> 8), (byte)(p.A >> 8));
        }
        return Image.LoadPixelData<Rgba32>(reduced, image.Width, image.Height);
    }

    private static byte Clip(ushort value) => (byte)Math.Min(value, (ushort)255);

    /// <summary>
    /// The annotators' HWC3: gray becomes three equal channels, alpha is composited over white with
    /// float32 arithmetic and truncated to uint8 (numpy's <c>astype(np.uint8)</c>).
    /// </summary>
    internal static ByteImage ToRgbOnWhite(Image<Rgba32> image)
    {
        var result = new ByteImage(image.Width, image.Height, 3);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var source = rows.GetRowSpan(y);
                var target = result.Row(y);
                for (int x = 0; x < source.Length; x++)
                {
                    var p = source[x];
                    if (p.A == 255)
                    {
                        target[3 * x] = p.R; target[3 * x + 1] = p.G; target[3 * x + 2] = p.B;
                        continue;
                    }
                    float alpha = p.A / 255f;
                    float white = 255f * (1f - alpha);
                    target[3 * x] = CompositeChannel(p.R, alpha, white);
                    target[3 * x + 1] = CompositeChannel(p.G, alpha, white);
                    target[3 * x + 2] = CompositeChannel(p.B, alpha, white);
                }
            }
        });
        return result;
    }

    private static byte CompositeChannel(byte color, float alpha, float white) =>
        (byte)Math.Clamp(color * alpha + white, 0f, 255f);
}
