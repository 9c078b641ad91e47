namespace ControlNet.Core.Diffusion;

/// <summary>The paper's prompt settings (§4 experiments): no prompt, a fixed default, or the user's.</summary>
public enum PromptMode
{
    User,
    None,
    Default,
}

public static class PromptModes
{
    /// <summary>The paper's "default prompt".</summary>
    public const string DefaultPrompt = "a professional, detailed, high-quality image";

    public static PromptMode Parse(string text) => text.ToLowerInvariant() switch
    {
        "user" => PromptMode.User,
        "none" => PromptMode.None,
        "default" => PromptMode.Default,
        "auto" => throw new InvalidInputException(
            "Prompt mode 'auto' needs BLIP captioning, which this build does not include yet; use user, none or default."),
        _ => throw new InvalidInputException($"Unknown prompt mode '{text}'; use user, none or default."),
    };

    public static string Resolve(PromptMode mode, string? userPrompt) => mode switch
    {
        PromptMode.None => "",
        PromptMode.Default => DefaultPrompt,
        _ => userPrompt ?? "",
    };
}
