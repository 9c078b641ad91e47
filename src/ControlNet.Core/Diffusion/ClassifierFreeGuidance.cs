using System.Numerics.Tensors;

namespace ControlNet.Core.Diffusion;

/// <summary>Ho &amp; Salimans' CFG as diffusers applies it: ε = ε_u + s·(ε_c − ε_u).</summary>
public static class ClassifierFreeGuidance
{
    /// <summary>diffusers skips the unconditional branch when s ≤ 1.</summary>
    public static bool IsEnabled(double guidanceScale) => guidanceScale > 1.0;

    public static void Combine(ReadOnlySpan<float> unconditional, ReadOnlySpan<float> conditional, float scale, Span<float> guided)
    {
        TensorPrimitives.Subtract(conditional, unconditional, guided);
        TensorPrimitives.MultiplyAdd(guided, scale, unconditional, guided);
    }
}
