using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;

namespace ControlNet.Core.Imaging;

/// <summary>
/// PNG output with generation parameters in tEXt chunks (the A1111 convention is one "parameters" chunk;
/// we write whatever keys the caller gives, Latin-1 text as tEXt, anything else as iTXt).
/// </summary>
public static class PngFile
{
    public static void Write(ByteImage image, Stream output, IReadOnlyDictionary<string, string>? textChunks = null)
    {
        using var png = ImageSharpConversions.ToImageSharp(image);
        var metadata = png.Metadata.GetPngMetadata();
        foreach (var (key, value) in textChunks ?? new Dictionary<string, string>())
            metadata.TextData.Add(new PngTextData(key, value, string.Empty, string.Empty));
        png.Save(output, new PngEncoder
        {
            ColorType = image.Channels == 1 ? PngColorType.Grayscale : PngColorType.Rgb,
            BitDepth = PngBitDepth.Bit8,
            // Keep short parameter text uncompressed (tEXt) so `strings`/exiftool users can read it.
            TextCompressionThreshold = 4096,
        });
    }

    /// <summary>Writes via a temporary file and a rename, so a failed run leaves no partial PNG behind.</summary>
    public static void WriteFile(ByteImage image, string path, IReadOnlyDictionary<string, string>? textChunks = null)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = File.Create(temporary)) Write(image, stream, textChunks);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    public static byte[] Encode(ByteImage image, IReadOnlyDictionary<string, string>? textChunks = null)
    {
        using var memory = new MemoryStream();
        Write(image, memory, textChunks);
        return memory.ToArray();
    }

    public static IReadOnlyDictionary<string, string> ReadText(Stream png)
    {
        var info = Image.Identify(png) ?? throw new InvalidInputException("Not a PNG image.");
        var result = new Dictionary<string, string>();
        foreach (var text in info.Metadata.GetPngMetadata().TextData) result[text.Keyword] = text.Value;
        return result;
    }
}
