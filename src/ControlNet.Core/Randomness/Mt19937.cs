namespace ControlNet.Core.Randomness;

/// <summary>
/// The 32-bit Mersenne Twister (Matsumoto &amp; Nishimura 1998) seeded as torch's CPU generator seeds it:
/// the seed's low 32 bits start the standard initialisation (multiplier 1812433253), so
/// <c>torch.manual_seed(s)</c> and <c>std::mt19937(s)</c> give the same stream.
/// </summary>
internal sealed class Mt19937
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _state = new uint[N];
    private int _next = N;

    public Mt19937(ulong seed)
    {
        _state[0] = (uint)seed;
        for (int i = 1; i < N; i++)
            _state[i] = unchecked(1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i);
    }

    public uint Next()
    {
        if (_next >= N) Twist();
        uint y = _state[_next++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680u;
        y ^= (y << 15) & 0xEFC60000u;
        y ^= y >> 18;
        return y;
    }

    private void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_state[i] & 0x8000_0000u) | (_state[(i + 1) % N] & 0x7FFF_FFFFu);
            uint value = _state[(i + M) % N] ^ (y >> 1);
            if ((y & 1) != 0) value ^= 0x9908B0DFu;
            _state[i] = value;
        }
        _next = 0;
    }
}
