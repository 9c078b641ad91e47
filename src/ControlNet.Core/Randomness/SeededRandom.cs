namespace ControlNet.Core.Randomness;

/// <summary>
/// The project's documented, platform-stable generator. Integers: SplitMix64 (Steele, Lea & Flood 2014)
/// started at the seed. Uniform doubles: the top 53 bits × 2⁻⁵³, in [0, 1). Standard normals: Box–Muller
/// on pairs (u1, u2) with u1 taken as 1 − u (so it is never 0): z0 = √(−2 ln u1)·cos 2πu2,
/// z1 = √(−2 ln u1)·sin 2πu2, using <see cref="PortableMath"/> so a seed yields the same bits on every OS/CPU.
/// </summary>
public sealed class SeededRandom : INormalSource
{
    private ulong _state;
    private double? _spareNormal;

    public SeededRandom(long seed) => _state = unchecked((ulong)seed);

    public ulong NextUInt64()
    {
        ulong z = unchecked(_state += 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double NextNormal()
    {
        if (_spareNormal is { } spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * PortableMath.Log(u1));
        var (sin, cos) = PortableMath.SinCosTurns(u2);
        _spareNormal = radius * sin;
        return radius * cos;
    }

    public void FillNormal(Span<float> target)
    {
        for (int i = 0; i < target.Length; i++) target[i] = (float)NextNormal();
    }
}
