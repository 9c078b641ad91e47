using System.Buffers.Binary;

namespace ControlNet.Core.Imaging;

/// <summary>
/// ImageSharp decodes a cut-off PNG or JPEG without complaint, filling the missing rows with black or
/// gray. A half-uploaded photo must fail instead, so the container structure is checked first:
/// PNG chunks up to IEND, a JPEG end-of-image marker after the scan, RIFF/BMP declared sizes.
/// </summary>
internal static class TruncationCheck
{
    /// <returns>null when complete, else what is missing.</returns>
    public static string? FindProblem(ReadOnlySpan<byte> data, string formatName) => formatName.ToUpperInvariant() switch
    {
        "PNG" => Png(data),
        "JPEG" => Jpeg(data),
        "WEBP" => Riff(data),
        "BMP" => Bmp(data),
        _ => null,
    };

    private static string? Png(ReadOnlySpan<byte> data)
    {
        int offset = 8;
        while (offset + 12 <= data.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            if (offset + 12 + length > data.Length) return $"chunk {System.Text.Encoding.ASCII.GetString(data.Slice(offset + 4, 4))} runs past the end of the file";
            if (data.Slice(offset + 4, 4).SequenceEqual("IEND"u8)) return null;
            offset += 12 + (int)length;
        }
        return "the PNG ends before its IEND chunk";
    }

    private static string? Jpeg(ReadOnlySpan<byte> data)
    {
        int scan = data.IndexOf([(byte)0xFF, (byte)0xDA]);
        if (scan < 0) return "the JPEG has no image scan";
        // Some cameras append data after the image; the end-of-image marker must follow the scan somewhere.
        return data[scan..].LastIndexOf([(byte)0xFF, (byte)0xD9]) < 0 ? "the JPEG ends before its end-of-image marker" : null;
    }

    private static string? Riff(ReadOnlySpan<byte> data)
    {
        if (data.Length < 12) return "the WebP header is incomplete";
        long declared = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) + 8L;
        return declared > data.Length ? $"the WebP declares {declared} bytes but has {data.Length}" : null;
    }

    private static string? Bmp(ReadOnlySpan<byte> data)
    {
        if (data.Length < 14) return "the BMP header is incomplete";
        long declared = BinaryPrimitives.ReadUInt32LittleEndian(data[2..]);
        return declared > data.Length ? $"the BMP declares {declared} bytes but has {data.Length}" : null;
    }
}
