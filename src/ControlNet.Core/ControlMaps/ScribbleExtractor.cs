using ControlNet.Core.Imaging;

namespace ControlNet.Core.ControlMaps;

/// <summary>
/// `scribble`: dark strokes on a light background become white strokes on black, as the reference
/// scribble demo does: <c>map[np.min(img, axis=2) &lt; threshold] = 255</c> (threshold 127).
/// </summary>
public sealed class ScribbleExtractor : IControlMapExtractor
{
    public string Name => "scribble";
    public static readonly ExtractorParameter Threshold = new("threshold", 127, 0, 256, true, "pixels darker than this become strokes");

    public IReadOnlyList<ExtractorParameter> Parameters { get; } = [Threshold];

    public ByteImage Extract(ByteImage source, ControlMapParameters parameters)
    {
        ((IControlMapExtractor)this).CheckParameters(parameters);
        int threshold = (int)parameters.Read(Threshold);
        var map = new ByteImage(source.Width, source.Height, 1);
        var pixels = source.Data;
        int channels = source.Channels;
        for (int i = 0, p = 0; i < map.Data.Length; i++, p += channels)
        {
            byte darkest = pixels[p];
            for (int c = 1; c < channels; c++) darkest = Math.Min(darkest, pixels[p + c]);
            map.Data[i] = darkest < threshold ? (byte)255 : (byte)0;
        }
        return map;
    }
}
