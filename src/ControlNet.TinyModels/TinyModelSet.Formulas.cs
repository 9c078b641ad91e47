namespace ControlNet.TinyModels;

/// <summary>
/// The closed forms the <see cref="TinyModelKind.Linear"/> models compute, so tests can predict every output
/// independently (in double; the graphs compute in float32).
/// </summary>
public static partial class TinyModelSet
{
    /// <summary>Rows V of the text encoder's embedding table; token id i reads row i mod V.</summary>
    public const int TextEncoderTableRows = 1024;

    /// <summary>Tokens per prompt, as CLIP's text encoder takes them.</summary>
    public const int TokenCount = 77;

    /// <summary>a in out_sample = a·sample + …; near 1 (a good noise predictor) so DDIM keeps latents O(1).</summary>
    public const double UnetSampleGain = 0.9;

    /// <summary>τ in out_sample = … + τ·timestep + ….</summary>
    public const double UnetTimestepGain = 1e-4;

    /// <summary>κ: how much the ControlNet's residuals follow its text conditioning (and timestep).</summary>
    public const double ControlNetConditioningGain = 0.5;

    /// <summary>μ: how much the ControlNet's residuals follow the mean of its latent input.</summary>
    public const double ControlNetSampleGain = 0.25;

    /// <summary>γ in vae sample = γ·latent[:, 0..3] upsampled; small so decoded pixels are not all saturated.</summary>
    public const double VaeDecoderGain = 0.05;

    /// <summary>Latent-to-pixel scale of the VAE decoder (and of controlnet_cond relative to sample).</summary>
    public const int VaeScaleFactor = 8;

    /// <summary>
    /// Text encoder: last_hidden_state[b, t, d] = T[input_ids[b, t] mod V, d] with
    /// T[i, d] = 0.5·sin(0.37·i + 1.3·d); pooler_output[b, d] = mean over t of last_hidden_state[b, t, d].
    /// </summary>
    public static double EmbeddingValue(long tokenId, int d)
    {
        long row = ((tokenId % TextEncoderTableRows) + TextEncoderTableRows) % TextEncoderTableRows;
        return 0.5 * Math.Sin(0.37 * row + 1.3 * d);
    }

    /// <summary>
    /// w_k in the UNet's out_sample[b] = a·sample[b] + mean(encoder_hidden_states[b]) + τ·timestep[b]
    ///   + Σ_k w_k·mean(residual_k[b]), each mean over all non-batch axes; w_k = (k+1)/91 (they sum to 1).
    /// </summary>
    public static double UnetResidualWeight(int residualIndex) => (residualIndex + 1) / 91.0;

    /// <summary>
    /// q_k in the ControlNet's residual_k[b] = s·q_k·(mean(controlnet_cond[b]) + κ·(mean(encoder_hidden_states[b])
    /// + τ·timestep[b]) + μ·mean(sample[b])) at every element, s being the conditioning_scale input (1 when the
    /// model has none); q_k = (k+1)/13.
    /// </summary>
    public static double ControlNetResidualGain(int residualIndex) => (residualIndex + 1) / 13.0;
}
