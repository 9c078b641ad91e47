using ControlNet.Core.Randomness;

namespace ControlNet.Core.Diffusion;

/// <summary>
/// Initial latents x_T ~ N(0, I) for one image: a fresh generator of the request's noise source started at the
/// image's seed, normals written in [4, h, w] row-major order (diffusers' <c>randn_tensor</c> of shape
/// 1×4×h×w). DDIM's initial noise sigma is 1, so no scaling. The generator is returned because DDIM with
/// η &gt; 0 draws its per-step noise from it next, as diffusers' scheduler does with the pipeline's generator.
/// </summary>
public static class LatentNoise
{
    public static INormalSource Fill(Span<float> latents, long seed, NoiseSource source)
    {
        var random = NoiseSources.Create(source, seed);
        random.FillNormal(latents);
        return random;
    }
}
