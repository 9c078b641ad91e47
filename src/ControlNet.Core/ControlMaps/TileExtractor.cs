using ControlNet.Core.Imaging;

namespace ControlNet.Core.ControlMaps;

/// <summary>
/// `tile`: the tile ControlNet's preprocessor — shrink by a factor (area filter) and scale back up, which
/// keeps layout and colour but removes detail for the model to re-invent.
/// </summary>
public sealed class TileExtractor : IControlMapExtractor
{
    public string Name => "tile";
    public static readonly ExtractorParameter Factor = new("factor", 4, 1, 64, false, "downscale factor of the blur");

    public IReadOnlyList<ExtractorParameter> Parameters { get; } = [Factor];

    public ByteImage Extract(ByteImage source, ControlMapParameters parameters)
    {
        ((IControlMapExtractor)this).CheckParameters(parameters);
        double factor = parameters.Read(Factor);
        int smallWidth = Math.Max(1, (int)Math.Round(source.Width / factor));
        int smallHeight = Math.Max(1, (int)Math.Round(source.Height / factor));
        var small = ReferenceResize.ToSize(source, smallWidth, smallHeight);
        var restored = ReferenceResize.ToSize(small, source.Width, source.Height);
        return ReferenceEquals(restored, source) ? Copy(source) : restored;
    }

    private static ByteImage Copy(ByteImage image) =>
        new(image.Width, image.Height, image.Channels, (byte[])image.Data.Clone());
}
