using System.Text.RegularExpressions;
using ControlNet.Core;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// Where models named in a job live: <c>&lt;root&gt;/&lt;model&gt;/</c> for Stable Diffusion and
/// <c>&lt;root&gt;/controlnet/&lt;name&gt;/</c> for ControlNets (docs/architecture.md, "Model folders"). Jobs name
/// models; names never become arbitrary paths. `controlnet generate` may point a name at a folder of its
/// choosing (<paramref name="explicitFolders"/>: "sd15" → "/data/my-sd15"), so the job it records still names
/// the model.
/// </summary>
public sealed partial class ModelFolders(string root, IReadOnlyDictionary<string, string>? explicitFolders = null)
{
    public const string ControlNetSubfolder = "controlnet";

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The folder of a Stable Diffusion model by name, e.g. "sd15" → &lt;root&gt;/sd15.</summary>
    public string StableDiffusion(string name) =>
        Resolve(name, "model", Root, "Unknown model", exclude: ControlNetSubfolder);

    public string ControlNet(string name) =>
        Resolve(name, "ControlNet", Path.Combine(Root, ControlNetSubfolder), "Unknown ControlNet");

    /// <summary>Every problem with the model names a job uses, at once (checked before anything is uploaded).</summary>
    public IReadOnlyList<string> Problems(string model, IEnumerable<string> controlNets)
    {
        var problems = new List<string>();
        if (!Directory.Exists(Root) && (explicitFolders is null || !controlNets.Append(model).All(explicitFolders.ContainsKey)))
            return [$"The models folder {Root} does not exist: give --models DIR (or set CONTROLNET_MODELS), or write test models with 'controlnet models tiny --output {Root}'."];
        foreach (var check in controlNets.Distinct().Select(n => (Action)(() => ControlNet(n))).Prepend(() => StableDiffusion(model)))
        {
            try { check(); }
            catch (InvalidInputException e) { problems.Add(e.Message); }
        }
        return problems;
    }

    private string Resolve(string name, string what, string parent, string unknown, string? exclude = null)
    {
        if (explicitFolders is not null && explicitFolders.TryGetValue(name, out var explicitFolder)) return explicitFolder;
        if (!SafeName().IsMatch(name) || name is "." or "..")
            throw new InvalidInputException($"The {what} name '{name}' is not allowed: use letters, digits, '.', '-' or '_' (a name, not a path).");
        var folder = Path.Combine(parent, name);
        if (Directory.Exists(folder)) return folder;
        var hint = Directory.Exists(Root)
            ? $"Available: {Available(parent, exclude)}."
            : $"The models folder {Root} does not exist: give --models DIR (or set CONTROLNET_MODELS), or write test models with 'controlnet models tiny --output {Root}'.";
        throw new InvalidInputException($"{unknown} '{name}': no folder {folder}. {hint}");
    }

    private static string Available(string parent, string? exclude)
    {
        if (!Directory.Exists(parent)) return "none";
        var names = Directory.GetDirectories(parent).Select(Path.GetFileName).Where(n => n != exclude).Order().ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SafeName();
}
