namespace ControlNet.Core.Randomness;

/// <summary>
/// <c>torch.Generator("cpu").manual_seed(seed)</c> followed by <c>torch.randn(shape, generator=g)</c> for
/// float32, as diffusers draws initial latents (and A1111's "CPU" noise source). Follows ATen's CPU kernels:
/// <list type="bullet">
/// <item>uniform float: the low 24 bits of one mt19937 draw × 2⁻²⁴ (<c>uniform_real_distribution&lt;float&gt;</c>);</item>
/// <item>≥ 16 elements (<c>normal_fill</c>): fill every element with a uniform, then Box–Muller in blocks of 16 —
///   u1 = 1 − data[j], u2 = data[j+8], radius = √(−2 ln u1), θ = 2π·u2, data[j] = r cos θ, data[j+8] = r sin θ —
///   and when the size is not a multiple of 16, draw 16 fresh uniforms for the last 16 elements and redo them;</item>
/// <item>&lt; 16 elements: <c>normal_distribution&lt;double&gt;</c> per element — two 53-bit uniforms from 64-bit draws,
///   r = √(−2 log1p(−u2)), θ = 2π·u1, r cos θ returned and r sin θ cached for the next element.</item>
/// </list>
/// torch's AVX2 build evaluates the 16-blocks with vectorised log/sincos; the results agree to a few float ulps
/// (the reference tests allow 1e-6).
/// </summary>
public sealed class TorchCpuGenerator : INormalSource
{
    private const double TwoPi = 2.0 * Math.PI;
    private readonly Mt19937 _engine;
    private double? _cachedNormal;

    public TorchCpuGenerator(long seed) => _engine = new Mt19937(unchecked((ulong)seed));

    /// <summary><c>torch.rand</c>'s float: 24 random bits.</summary>
    public float NextFloat() => (_engine.Next() & 0xFF_FFFFu) * (1.0f / (1 << 24));

    /// <summary>The double uniform: 53 of the 64 bits made from two draws (first draw high).</summary>
    public double NextDouble()
    {
        ulong high = _engine.Next();
        ulong low = _engine.Next();
        ulong bits = (high << 32) | low;
        return (bits & ((1UL << 53) - 1)) * (1.0 / (1UL << 53));
    }

    public void FillNormal(Span<float> target)
    {
        if (target.Length >= 16) FillBlocks(target);
        else
            for (int i = 0; i < target.Length; i++) target[i] = (float)NextNormalDouble();
    }

    private void FillBlocks(Span<float> data)
    {
        for (int i = 0; i < data.Length; i++) data[i] = NextFloat();
        for (int i = 0; i + 16 <= data.Length; i += 16) BoxMuller16(data.Slice(i, 16));
        if (data.Length % 16 != 0)
        {
            var tail = data[^16..];
            for (int i = 0; i < 16; i++) tail[i] = NextFloat();
            BoxMuller16(tail);
        }
    }

    // ATen's normal_fill_16_AVX2 (what x86-64 builds run): θ = float(2π)·u2 in float arithmetic.
    private static void BoxMuller16(Span<float> block)
    {
        const float twoPi = (float)TwoPi;
        for (int j = 0; j < 8; j++)
        {
            float u1 = 1 - block[j];
            float u2 = block[j + 8];
            float radius = MathF.Sqrt(-2 * MathF.Log(u1));
            float theta = twoPi * u2;
            block[j] = radius * MathF.Cos(theta);
            block[j + 8] = radius * MathF.Sin(theta);
        }
    }

    private double NextNormalDouble()
    {
        if (_cachedNormal is { } cached)
        {
            _cachedNormal = null;
            return cached;
        }
        double u1 = NextDouble();
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - u2));
        double theta = TwoPi * u1;
        _cachedNormal = radius * Math.Sin(theta);
        return radius * Math.Cos(theta);
    }
}
