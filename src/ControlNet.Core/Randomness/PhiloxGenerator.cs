namespace ControlNet.Core.Randomness;

/// <summary>
/// A1111's "NV" noise source (<c>modules/rng_philox.py</c>), which imitates <c>torch.randn(..., device="cuda")</c>
/// on any machine: element i of the n-th call is Philox4x32-10 with key = the 64-bit seed (low, high words)
/// and counter = [n, 0, i, 0]; its first two outputs x, y go through one half of Box–Muller in double
/// precision with float32 constants — u = x·2⁻³² + 2⁻³³, v = (y + ½)·2π·2⁻³², r = √(−2 ln u)·sin v —
/// and the result is rounded to float32.
/// </summary>
public sealed class PhiloxGenerator : INormalSource
{
    private const uint MultiplierA = 0xD2511F53;
    private const uint MultiplierB = 0xCD9E8D57;
    private const uint WeylA = 0x9E3779B9;
    private const uint WeylB = 0xBB67AE85;
    // np.float32(2.3283064e-10) and np.float32(2.3283064e-10 * 6.2831855), widened to double as numpy does.
    private static readonly double TwoPow32Inv = 2.3283064e-10f;
    private static readonly double TwoPow32Inv2Pi = (float)(2.3283064e-10 * 6.2831855);

    private readonly ulong _seed;
    private uint _offset;

    public PhiloxGenerator(long seed) => _seed = unchecked((ulong)seed);

    public void FillNormal(Span<float> target)
    {
        uint offset = _offset++;
        uint keyLow = (uint)_seed, keyHigh = (uint)(_seed >> 32);
        for (int i = 0; i < target.Length; i++)
        {
            var (x, y) = Philox(offset, (uint)i, keyLow, keyHigh);
            double u = x * TwoPow32Inv + TwoPow32Inv / 2;
            double v = y * TwoPow32Inv2Pi + TwoPow32Inv2Pi / 2;
            target[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Sin(v));
        }
    }

    /// <summary>The first two words of Philox4x32-10 for counter [c0, 0, c2, 0].</summary>
    internal static (uint, uint) Philox(uint c0, uint c2, uint key0, uint key1)
    {
        uint c1 = 0, c3 = 0;
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                key0 = unchecked(key0 + WeylA);
                key1 = unchecked(key1 + WeylB);
            }
            ulong productA = (ulong)c0 * MultiplierA;
            ulong productB = (ulong)c2 * MultiplierB;
            uint n0 = (uint)(productB >> 32) ^ c1 ^ key0;
            uint n1 = (uint)productB;
            uint n2 = (uint)(productA >> 32) ^ c3 ^ key1;
            uint n3 = (uint)productA;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        }
        return (c0, c1);
    }
}
