using ControlNet.Workflow.Generation;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `--models DIR`, `--model NAME|DIR`, `--controlnet NAME|DIR`: which models a job uses and where they are. A name
/// is a folder under the models root; a path to an existing folder is used as it is, under its folder name (so
/// the job document still names models, and `generate` and `run` read the same flags).
/// </summary>
internal sealed record ModelArguments(ModelFolders Folders, string Model, IReadOnlyList<string> ControlNets)
{
    public static readonly CliOption[] Options =
    [
        new("models", "DIR", "models root: <DIR>/<model>/ and <DIR>/controlnet/<name>/", "$CONTROLNET_MODELS, else ./models"),
        new("model", "NAME|DIR", "Stable Diffusion model: a folder name under --models, or a folder", "sd15"),
        new("controlnet", "NAME|DIR", "a ControlNet unit's model: a name under <models>/controlnet/, or a folder; once per unit", "canny", Repeatable: true),
    ];

    public static string DefaultRoot => Environment.GetEnvironmentVariable("CONTROLNET_MODELS") is { Length: > 0 } root ? root : "models";

    /// <param name="defaultModel">The model a job file names, when --model is not given.</param>
    public static ModelArguments Read(CommandLineArguments args, string? defaultModel = null)
    {
        var root = args.Optional("models") ?? DefaultRoot;
        var explicitFolders = new Dictionary<string, string>(StringComparer.Ordinal);
        string Name(string value)
        {
            if (!LooksLikePath(value)) return value;
            var folder = Path.GetFullPath(value);
            if (!Directory.Exists(folder))
                throw new Core.InvalidInputException($"Model folder '{value}' does not exist.");
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
            explicitFolders[name] = folder;
            return name;
        }
        var model = Name(args.Optional("model") ?? defaultModel ?? "sd15");
        var controlNets = args.All("controlnet").Select(Name).ToList();
        return new ModelArguments(new ModelFolders(root, explicitFolders), model, controlNets);
    }

    private static bool LooksLikePath(string value) =>
        value.Contains('/') || value.Contains(Path.DirectorySeparatorChar) || value is "." or "..";
}
