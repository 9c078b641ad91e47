using ControlNet.Core.Randomness;

namespace ControlNet.Core.Diffusion;

/// <summary>
/// Initial latents x_T ~ N(0, I) for one image: <see cref="SeededRandom"/> started at the image's seed,
/// normals written in [4, h, w] row-major order. DDIM's initial noise sigma is 1, so no scaling.
/// The same seed gives the same latents — and the same image — on every platform.
/// </summary>
public static class LatentNoise
{
    public static SeededRandom Fill(Span<float> latents, long seed)
    {
        var random = new SeededRandom(seed);
        random.FillNormal(latents);
        return random;
    }
}
