using ControlNet.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace ControlNet.Core.Tests.Imaging;

public class ImageDecoderTests
{
    private static byte[] Encode<TPixel>(Image<TPixel> image, IImageEncoder encoder) where TPixel : unmanaged, IPixel<TPixel>
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    private static Image<Rgb24> Gradient(int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgb24((byte)(x * 10), (byte)(y * 20), (byte)(x + y));
        return image;
    }

    public static TheoryData<string> LosslessFormats => new() { "png", "bmp", "webp" };

    [Theory]
    [MemberData(nameof(LosslessFormats))]
    public void Decodes_lossless_formats_to_exact_rgb(string format)
    {
        using var source = Gradient(13, 7);
        IImageEncoder encoder = format switch
        {
            "png" => new PngEncoder(),
            "bmp" => new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 },
            _ => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        };
        var image = ImageDecoder.Decode(Encode(source, encoder));

        Assert.Equal((13, 7, 3), (image.Width, image.Height, image.Channels));
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 13; x++)
            {
                var p = source[x, y];
                Assert.Equal(new[] { p.R, p.G, p.B }, image.Data.AsSpan((y * 13 + x) * 3, 3).ToArray());
            }
    }

    [Fact]
    public void Decodes_jpeg_close_to_the_source()
    {
        using var source = new Image<Rgb24>(16, 16, new Rgb24(200, 100, 50));
        var image = ImageDecoder.Decode(Encode(source, new JpegEncoder { Quality = 95 }));
        Assert.All(Enumerable.Range(0, 256), i =>
        {
            Assert.InRange(image.Data[i * 3], 195, 205);
            Assert.InRange(image.Data[i * 3 + 1], 95, 105);
            Assert.InRange(image.Data[i * 3 + 2], 45, 55);
        });
    }

    [Fact]
    public void Gray_images_become_three_equal_channels()
    {
        using var gray = new Image<L8>(3, 2);
        gray[0, 0] = new L8(10); gray[1, 0] = new L8(128); gray[2, 1] = new L8(255);
        var image = ImageDecoder.Decode(Encode(gray, new PngEncoder()));
        Assert.Equal(new byte[] { 10, 10, 10, 128, 128, 128, 0, 0, 0 }, image.Data[..9]);
        Assert.Equal(new byte[] { 255, 255, 255 }, image.Data[15..18]);
    }

    [Fact]
    public void Alpha_is_composited_on_white_like_the_reference_hwc3()
    {
        using var rgba = new Image<Rgba32>(3, 1);
        rgba[0, 0] = new Rgba32(0, 0, 0, 0);       // transparent → white
        rgba[1, 0] = new Rgba32(100, 50, 0, 128);   // half → y = c·a + 255·(1 − a), truncated
        rgba[2, 0] = new Rgba32(10, 20, 30, 255);   // opaque → unchanged
        var image = ImageDecoder.Decode(Encode(rgba, new PngEncoder()));

        static byte Expected(byte c, byte a) => (byte)(c * (a / 255f) + 255f * (1f - a / 255f));
        Assert.Equal(new byte[] { 255, 255, 255 }, image.Data[..3]);
        Assert.Equal(new[] { Expected(100, 128), Expected(50, 128), Expected(0, 128) }, image.Data[3..6]);
        // numpy 1.24 on the reference expression gives [177.19608, 152.09804, 126.99999] → [177, 152, 126].
        Assert.Equal(new byte[] { 177, 152, 126 }, image.Data[3..6]);
        Assert.Equal(new byte[] { 10, 20, 30 }, image.Data[6..9]);
    }

    [Fact]
    public void Decompression_bomb_header_is_rejected_before_decoding()
    {
        var bomb = TestImages.PngHeaderOnly(30000, 30000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(bomb, name: "bomb.png"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("30000x30000", error.Message);
        Assert.Contains("40 megapixels", error.Message);
        Assert.True(allocated < 10_000_000, $"rejecting the header allocated {allocated} bytes");
    }

    [Fact]
    public void Decode_limit_is_configurable()
    {
        using var source = Gradient(2000, 1000);
        var png = Encode(source, new PngEncoder());
        Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(png, maxMegapixels: 1));
        Assert.Equal(2000, ImageDecoder.Decode(png, maxMegapixels: 2).Width);
    }

    [Fact]
    public void Truncated_png_is_a_clear_error()
    {
        using var source = Gradient(64, 64);
        var png = Encode(source, new PngEncoder());
        var error = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(png[..(png.Length / 2)], name: "half.png"));
        Assert.Contains("half.png", error.Message);
        Assert.Contains("corrupt or truncated", error.Message);
    }

    [Fact]
    public void Half_a_real_photo_is_rejected_not_padded_with_black()
    {
        var png = File.ReadAllBytes(TestImages.PhotoPath);
        var error = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(png[..(png.Length / 2)], name: "upload.png"));
        Assert.Contains("runs past the end of the file", error.Message);
    }

    [Fact]
    public void Truncated_jpeg_is_rejected()
    {
        using var photo = Image.Load<Rgb24>(TestImages.PhotoPath);
        var jpeg = Encode(photo, new JpegEncoder { Quality = 90 });
        Assert.Equal(512, ImageDecoder.Decode(jpeg).Width);
        var error = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(jpeg[..(jpeg.Length * 2 / 3)], name: "cut.jpg"));
        Assert.Contains("end-of-image marker", error.Message);
    }

    [Fact]
    public void Truncated_webp_and_bmp_are_rejected()
    {
        using var source = Gradient(32, 32);
        var webp = Encode(source, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
        var bmp = Encode(source, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 });
        Assert.Contains("declares", Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(webp[..(webp.Length - 10)])).Message);
        Assert.Contains("declares", Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(bmp[..(bmp.Length - 10)])).Message);
    }

    /// <summary>PNG's CRC-32 (ISO 3309) over a chunk's type and data.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Liar_png_whose_header_declares_more_pixels_than_its_data_holds_is_rejected()
    {
        // A complete, well-formed 8x8 PNG whose IHDR is then made to say 6000x6000: 68-ish bytes that
        // ImageSharp would decode as a padded 6000x6000 image.
        using var source = Gradient(8, 8);
        var png = Encode(source, new PngEncoder());
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 6000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 6000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));

        var error = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(png, name: "liar.png"));
        Assert.Contains("declares 6000x6000 pixels but its image data ends", error.Message);
    }

    [Fact]
    public void Interlaced_png_is_measured_pass_by_pass_and_accepted_when_complete()
    {
        using var source = Gradient(37, 21);
        var png = Encode(source, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 });
        Assert.Equal(37, ImageDecoder.Decode(png).Width);
    }

    [Fact]
    public void Liar_jpeg_and_bmp_are_rejected_from_their_data()
    {
        using var photo = Gradient(16, 16);
        var jpeg = Encode(photo, new JpegEncoder { Quality = 90 });
        int sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 6000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 6000);
        Assert.Contains("less than one bit per block", Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(jpeg)).Message);

        var bmp = Encode(photo, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 });
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 6000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 6000);
        Assert.Contains("pixel data ends early", Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(bmp)).Message);
    }

    [Fact]
    public void Text_file_is_not_an_image()
    {
        var error = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode("hello, I am text"u8.ToArray(), name: "notes.png"));
        Assert.Contains("not a supported image format", error.Message);
        Assert.Contains("PNG, JPEG, WebP, BMP", error.Message);
    }

    [Fact]
    public void Empty_file_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode([], name: "empty.png"));
        Assert.Contains("empty.png is empty", error.Message);
    }

    [Fact]
    public void Gif_is_an_unsupported_format()
    {
        using var source = Gradient(4, 4);
        var error = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(Encode(source, new GifEncoder()), name: "anim.gif"));
        Assert.Contains("not a supported image format", error.Message);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var error = Assert.Throws<InvalidInputException>(() => ImageDecoder.DecodeFile("/nonexistent/photo.png"));
        Assert.Contains("/nonexistent/photo.png", error.Message);
    }
}

/// <summary>
/// Unusual PNG encodings decoded as Pillow hands them to the reference annotators, then HWC3
/// (expected images from Fixtures/decode/make_reference.py, made with Pillow 9.4 and numpy).
/// </summary>
public class PillowParityDecodeTests
{
    [Theory]
    [InlineData("rgb16")]        // 16-bit RGB: the high byte of every sample
    [InlineData("rgba16")]       // 16-bit RGBA: high bytes, then alpha over white
    [InlineData("gray16")]       // 16-bit gray: Pillow's "I" mode, clipped at 255 by the RGB conversion
    [InlineData("palette_trns")] // palette with a transparent index: over white
    public void Png_decodes_as_pillow_then_HWC3(string name)
    {
        var decoded = ImageDecoder.DecodeFile(TestImages.Fixture("decode", "inputs", name + ".png"));
        var expected = FixtureImages.Load(TestImages.Fixture("decode", "expected", name + ".png"), 3);
        FixtureImages.AssertSame(expected, decoded, name);
    }
}
