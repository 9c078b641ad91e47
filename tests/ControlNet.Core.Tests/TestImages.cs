using System.Buffers.Binary;
using System.IO.Compression;
using ControlNet.Core.Imaging;

namespace ControlNet.Core.Tests;

/// <summary>Real encoded files for tests, and the paths of the committed fixtures.</summary>
internal static class TestImages
{
    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static string PhotoPath => Fixture("photos", "astronaut_512.png");

    /// <summary>A gradient with edges so every extractor has work to do.</summary>
    public static ByteImage Pattern(int width, int height, int channels = 3)
    {
        var image = new ByteImage(width, height, channels);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    image.Data[(y * width + x) * channels + c] = (byte)(((x / 7 + y / 5) % 2) * 180 + (x * 3 + y * 2 + c * 40) % 60);
        return image;
    }

    /// <summary>
    /// A valid PNG signature and IHDR claiming <paramref name="width"/>×<paramref name="height"/> RGB, then a
    /// tiny IDAT and IEND: what a decompression bomb's header looks like, without the bomb.
    /// </summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        WriteChunk(stream, "IHDR", ihdr);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(new byte[1 + 3 * Math.Min(width, 16)]);
            WriteChunk(stream, "IDAT", compressed.ToArray());
        }
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32(typeAndData));
        stream.Write(length);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
