namespace ControlNet.Core.Onnx;

/// <summary>
/// The 13 ControlNet residuals in SD1.5's order: 12 down-block outputs, then the mid block (k = 12).
/// ControlNet outputs and UNet inputs carry the same names; they are matched by name.
/// </summary>
public static class ResidualNames
{
    public const int Count = 13;

    public static IReadOnlyList<string> All { get; } =
        Enumerable.Range(0, 12).Select(k => $"down_block_{k}_additional_residual")
            .Append("mid_block_additional_residual").ToArray();
}
