using System.Buffers.Binary;

namespace ControlNet.Core.Imaging;

/// <summary>
/// ImageSharp decodes a cut-off PNG or JPEG without complaint, filling the missing rows with black or
/// gray. A half-uploaded photo must fail instead — and so must a "liar", a well-formed container whose header
/// declares far more pixels than its data holds. So the structure is checked first (PNG chunks up to IEND, a JPEG
/// end-of-image marker after the scan, RIFF/BMP declared sizes), then the data against the declared size: a PNG's
/// IDAT stream must inflate to exactly the bytes its IHDR implies, a JPEG's entropy-coded data must hold at least
/// one bit per 8×8 block (no Huffman code is shorter), a BMP's pixel array must fit in the file.
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
            if (data.Slice(offset + 4, 4).SequenceEqual("IEND"u8)) return PngPixelData(data);
            offset += 12 + (int)length;
        }
        return "the PNG ends before its IEND chunk";
    }

    /// <summary>Inflates the IDAT stream (counting, not keeping) and compares with the size IHDR declares.</summary>
    private static string? PngPixelData(ReadOnlySpan<byte> data)
    {
        if (data.Length < 33 || !data.Slice(12, 4).SequenceEqual("IHDR"u8)) return "the PNG has no IHDR chunk";
        long width = BinaryPrimitives.ReadUInt32BigEndian(data[16..]), height = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
        int bitDepth = data[24], colorType = data[25], interlace = data[28];
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (channels == 0) return null; // an invalid colour type: the decoder reports it
        long expected = interlace == 1 ? Adam7Bytes(width, height, channels * bitDepth) : RawBytes(width, height, channels * bitDepth);

        using var idat = new MemoryStream();
        for (int offset = 8; offset + 12 <= data.Length;)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            if (data.Slice(offset + 4, 4).SequenceEqual("IDAT"u8)) idat.Write(data.Slice(offset + 8, length));
            offset += 12 + length;
        }
        idat.Position = 0;
        long inflated = 0;
        try
        {
            using var zlib = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
            var buffer = new byte[1 << 16];
            int read;
            while (inflated < expected && (read = zlib.Read(buffer, 0, (int)Math.Min(buffer.Length, expected - inflated))) > 0) inflated += read;
        }
        catch (InvalidDataException)
        {
            return "the PNG's compressed image data is corrupt";
        }
        return inflated < expected
            ? $"the PNG declares {width}x{height} pixels but its image data ends after {inflated * 100 / Math.Max(expected, 1)}% of them"
            : null;
    }

    private static long RawBytes(long width, long height, int bitsPerPixel) =>
        width == 0 || height == 0 ? 0 : height * (1 + (width * bitsPerPixel + 7) / 8);

    /// <summary>Adam7: seven passes, each a reduced image with its own filter bytes.</summary>
    private static long Adam7Bytes(long width, long height, int bitsPerPixel)
    {
        ReadOnlySpan<int> passes = [0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2];
        long total = 0;
        for (int p = 0; p < passes.Length; p += 4)
        {
            long w = width > passes[p] ? (width - passes[p] + passes[p + 2] - 1) / passes[p + 2] : 0;
            long h = height > passes[p + 1] ? (height - passes[p + 1] + passes[p + 3] - 1) / passes[p + 3] : 0;
            total += RawBytes(w, h, bitsPerPixel);
        }
        return total;
    }

    private static string? Jpeg(ReadOnlySpan<byte> data)
    {
        int scan = data.IndexOf([(byte)0xFF, (byte)0xDA]);
        if (scan < 0) return "the JPEG has no image scan";
        // Some cameras append data after the image; the end-of-image marker must follow the scan somewhere.
        int end = data[scan..].LastIndexOf([(byte)0xFF, (byte)0xD9]);
        if (end < 0) return "the JPEG ends before its end-of-image marker";
        long blocks = JpegBlocks(data[..scan]);
        long scanBytes = end; // from the first scan's marker to the end-of-image marker
        return scanBytes * 8 < blocks
            ? $"the JPEG declares {blocks} blocks of 8x8 pixels but has {scanBytes} bytes of image data, less than one bit per block"
            : null;
    }

    /// <summary>8×8 blocks of the frame (SOF0–SOF2): MCUs × blocks per MCU, as the sampling factors lay them out.</summary>
    private static long JpegBlocks(ReadOnlySpan<byte> header)
    {
        for (int offset = 2; offset + 4 <= header.Length;)
        {
            if (header[offset] != 0xFF) return 0;
            byte marker = header[offset + 1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(header[(offset + 2)..]);
            if (marker is 0xC0 or 0xC1 or 0xC2 && offset + 10 <= header.Length)
            {
                long height = BinaryPrimitives.ReadUInt16BigEndian(header[(offset + 5)..]);
                long width = BinaryPrimitives.ReadUInt16BigEndian(header[(offset + 7)..]);
                int components = header[offset + 9];
                if (offset + 10 + components * 3 > header.Length) return 0;
                int maxH = 1, maxV = 1, perMcu = 0;
                for (int c = 0; c < components; c++)
                {
                    int sampling = header[offset + 11 + c * 3];
                    maxH = Math.Max(maxH, sampling >> 4);
                    maxV = Math.Max(maxV, sampling & 15);
                    perMcu += (sampling >> 4) * (sampling & 15);
                }
                return (width + 8 * maxH - 1) / (8 * maxH) * ((height + 8 * maxV - 1) / (8 * maxV)) * perMcu;
            }
            offset += 2 + length;
        }
        return 0; // no baseline/progressive frame found: the decoder decides
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
        if (declared > data.Length) return $"the BMP declares {declared} bytes but has {data.Length}";
        if (data.Length < 34) return "the BMP header is incomplete";
        long pixelsAt = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        long width = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[18..]));
        long height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[22..]));
        int bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]);
        uint compression = BinaryPrimitives.ReadUInt32LittleEndian(data[30..]);
        if (compression is not (0 or 3)) return null; // run-length coded: no fixed size to check
        long needed = pixelsAt + (width * bitsPerPixel + 31) / 32 * 4 * height;
        return needed > data.Length ? $"the BMP declares {width}x{height} pixels but its pixel data ends early" : null;
    }
}
