namespace ControlNet.Core.Randomness;

/// <summary>
/// A seeded stream of standard normals. Each call continues the stream, as a torch generator handed to
/// diffusers does: the initial latents first, then DDIM's per-step noise when η &gt; 0.
/// </summary>
public interface INormalSource
{
    void FillNormal(Span<float> target);
}
