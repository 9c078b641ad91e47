namespace ControlNet.Core.Diffusion;

/// <summary>
/// How strongly control competes with the prompt; two switches as the ControlNet tools define them
/// (docs/numerics.md): soft injection (residual k × 0.825^(12−k)) and cond-only (CFG's unconditional branch gets
/// no residuals).
/// </summary>
public enum ControlMode
{
    /// <summary>Neither switch: plain ControlNet.</summary>
    Balanced,
    /// <summary>"My prompt is more important": soft injection.</summary>
    Prompt,
    /// <summary>"ControlNet is more important" (the paper's guess mode): soft + cond-only.</summary>
    Control,
    /// <summary>Cond-only without soft weights.</summary>
    Unbalanced,
}

public static class ControlModes
{
    /// <summary>The decay per block of soft injection (A1111 / InvokeAI).</summary>
    public const double SoftDecay = 0.825;

    public static ControlMode Parse(string text) => text.ToLowerInvariant() switch
    {
        "balanced" => ControlMode.Balanced,
        "prompt" => ControlMode.Prompt,
        "control" => ControlMode.Control,
        "unbalanced" => ControlMode.Unbalanced,
        _ => throw new InvalidInputException($"Unknown control mode '{text}'; use balanced, prompt, control or unbalanced."),
    };

    /// <summary>The name users type and documents carry ("balanced", …).</summary>
    public static string Name(ControlMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>The label A1111's ControlNet extension shows and writes into PNG info for this mode.</summary>
    public static string A1111Label(ControlMode mode) => mode switch
    {
        ControlMode.Prompt => "My prompt is more important",
        ControlMode.Control => "ControlNet is more important",
        ControlMode.Unbalanced => "Unbalanced",
        _ => "Balanced",
    };

    public static bool IsSoft(this ControlMode mode) => mode is ControlMode.Prompt or ControlMode.Control;

    public static bool IsCondOnly(this ControlMode mode) => mode is ControlMode.Control or ControlMode.Unbalanced;

    /// <summary>Soft-injection weight of residual k (0…11 down blocks, 12 = mid block).</summary>
    public static double SoftWeight(int residualIndex) => Math.Pow(SoftDecay, 12 - residualIndex);
}
