namespace ControlNet.Core.Imaging;

/// <summary>
/// 8-bit pixels stored row-major, channels interleaved (HWC), as OpenCV and the reference annotators hold
/// them. <see cref="Channels"/> is 1 (gray / control maps) or 3 (RGB order, not BGR).
/// </summary>
public sealed class ByteImage
{
    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public byte[] Data { get; }

    public ByteImage(int width, int height, int channels, byte[]? data = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Image size must be positive, got {width}x{height}.");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), $"Channels must be 1 or 3, got {channels}.");
        long length = (long)width * height * channels;
        if (data is not null && data.Length != length)
            throw new ArgumentException($"Pixel buffer has {data.Length} bytes; {width}x{height}x{channels} needs {length}.", nameof(data));
        Width = width;
        Height = height;
        Channels = channels;
        Data = data ?? new byte[length];
    }

    public int Stride => Width * Channels;

    public Span<byte> Row(int y) => Data.AsSpan(y * Stride, Stride);
}
