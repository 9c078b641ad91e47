namespace ControlNet.TinyModels;

/// <summary>
/// The 13 ControlNet residuals of an SD1.5 UNet, in order (12 down-block residuals, mid last), with the shape
/// rule of the real network: three residuals per resolution level, a stride-2 downsample after levels 0–2
/// (so each level's size is ceil(previous / 2)), and the channel width stepping up at blocks 4 and 7.
/// </summary>
public static class Sd15Residuals
{
    public const int Count = 13;
    public const int MidIndex = 12;
    public const string MidBlockName = "mid_block_additional_residual";

    public static string Name(int index) => index == MidIndex ? MidBlockName : $"down_block_{index}_additional_residual";

    public static IReadOnlyList<string> Names { get; } = Enumerable.Range(0, Count).Select(Name).ToArray();

    /// <summary>How many stride-2 downsamples precede residual <paramref name="index"/>: 0,0,0,1,1,1,2,2,2,3,3,3,3.</summary>
    public static int Level(int index) => Math.Min(index / 3, 3);

    /// <summary>c0 for residuals 0–3, c1 for 4–6, c2 for 7–12 (block 3 is level 0's downsample, still at c0).</summary>
    public static int Channels(int index, ChannelWidths widths) => index switch
    {
        <= 3 => widths.C0,
        <= 6 => widths.C1,
        _ => widths.C2,
    };

    /// <summary>Spatial size after <paramref name="level"/> stride-2, pad-1, 3×3 convolutions: ceil(size / 2) each time.</summary>
    public static int Downsampled(int size, int level)
    {
        for (int i = 0; i < level; i++) size = (size + 1) / 2;
        return size;
    }

    /// <summary>[batch, channels, height, width] of residual <paramref name="index"/> for a latent of the given size.</summary>
    public static long[] Shape(int index, int batch, int latentHeight, int latentWidth, ChannelWidths widths) =>
    [
        batch,
        Channels(index, widths),
        Downsampled(latentHeight, Level(index)),
        Downsampled(latentWidth, Level(index)),
    ];

    /// <summary>Declared shape for the ONNX graph: symbolic batch and spatial sizes ("height/2", …).</summary>
    internal static OnnxDim[] SymbolicShape(int index, ChannelWidths widths)
    {
        int level = Level(index);
        string suffix = level == 0 ? "" : $"/{1 << level}";
        return ["batch", Channels(index, widths), $"height{suffix}", $"width{suffix}"];
    }
}
