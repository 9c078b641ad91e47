using System.Globalization;
using ControlNet.Core;
using ControlNet.Core.ControlMaps;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Cli.Commands;

/// <summary>
/// The job options of `generate` and `run`: flags that fill the job contract (<see cref="JobRequest"/>), optionally
/// over a job file. Values are parsed here; their limits are the validator's, so a flag and a JSON field get the
/// same message. Unit options (--control, --control-scale, --control-mode, --guidance-start/end) are given once for
/// every unit or once per --controlnet, in order.
/// </summary>
internal static class JobArguments
{
    public static readonly CliOption[] Options =
    [
        new("job", "FILE", "a job document (JSON, schema 1 or 2); the flags below override its fields"),
        new("prompt", "TEXT", "the prompt (sets --prompt-mode user)"),
        new("negative-prompt", "TEXT", "the negative prompt", "\"\""),
        new("prompt-mode", "user|none|default", "the paper's prompt modes: yours, empty, or the paper's default prompt", "user with --prompt, else default"),
        new("steps", "N", "DDIM steps", "20"),
        new("guidance", "S", "classifier-free guidance scale (the job's guidanceScale)", "9"),
        new("eta", "F", "DDIM eta; 0 is deterministic", "0"),
        new("seed", "N", "seed of image 0 (image i uses N + i, each with a fresh generator); -1 picks one at random and reports it", "random"),
        new("rng", "cpu|nv|portable", "noise source: torch's CPU generator (diffusers, A1111 'CPU'), A1111's 'NV' (Philox), or this project's portable one", "cpu"),
        new("count", "N", "images to generate", "1"),
        new("width", "W", "output width (with --height)", "the control map's"),
        new("height", "H", "output height (with --width)", "the control map's"),
        new("resolution", "N", "short side of the control maps (the reference resize_image)", "512"),
        new("control", "NAME", $"extractor of each unit's map: {string.Join(", ", ControlMapExtractors.Names)}; once, or once per unit", "canny", Repeatable: true),
        new("preprocess", "NAME", "same as --control", Repeatable: true),
        new("control-param", "K=V", "an extractor parameter, applied to every unit whose extractor reads K (e.g. low=50)", Repeatable: true),
        new("control-scale", "S", "conditioning scale; once, or once per unit", "1.0", Repeatable: true),
        new("control-mode", "MODE", "balanced|prompt|control|unbalanced; once, or once per unit", "balanced", Repeatable: true),
        new("guidance-start", "F", "fraction of steps before a unit starts acting; once, or once per unit", "0", Repeatable: true),
        new("guidance-end", "F", "fraction of steps after which a unit stops; once, or once per unit", "1", Repeatable: true),
    ];

    /// <param name="input">The job's input (a blob name, or a file's name for `generate`).</param>
    /// <param name="unitInputs">Per-unit inputs (--control-image), or empty for "every unit uses the job's input".</param>
    public static JobRequest Read(CommandLineArguments args, string input, ModelArguments models, IReadOnlyList<string> unitInputs)
    {
        var job = args.Optional("job") is { } file
            ? JobRequest.Parse(File.Exists(file) ? File.ReadAllText(file) : throw new InvalidInputException($"Job file '{file}' does not exist."), $"job file '{file}'")
            : new JobRequest();
        job = job with
        {
            Input = input,
            Model = args.Has("model") || args.Optional("job") is null ? models.Model : job.Model,
            PromptMode = args.Optional("prompt-mode") ?? job.PromptMode,
            Prompt = args.Optional("prompt") ?? job.Prompt,
            NegativePrompt = args.Optional("negative-prompt") ?? job.NegativePrompt,
            Steps = Int(args, "steps") ?? job.Steps,
            GuidanceScale = Number(args, "guidance") ?? job.GuidanceScale,
            Eta = Number(args, "eta") ?? job.Eta,
            Seed = Long(args, "seed") ?? job.Seed,
            Rng = args.Optional("rng") ?? job.Rng,
            Count = Int(args, "count") ?? job.Count,
            Width = Int(args, "width") ?? job.Width,
            Height = Int(args, "height") ?? job.Height,
            Resolution = Int(args, "resolution") ?? job.Resolution,
        };
        // Given once, the mode and window are the job's (every unit's unless it names its own); per unit, the units'.
        var modes = args.All("control-mode");
        var starts = args.All("guidance-start");
        var ends = args.All("guidance-end");
        if (modes.Count == 1) job = job with { ControlMode = modes[0] };
        if (starts.Count == 1) job = job with { GuidanceStart = ParseNumber(starts[0], "guidance-start")!.Value };
        if (ends.Count == 1) job = job with { GuidanceEnd = ParseNumber(ends[0], "guidance-end")!.Value };
        return WithUnits(args, job, models, unitInputs,
            modes.Count > 1 ? modes : [], starts.Count > 1 ? starts : [], ends.Count > 1 ? ends : []);
    }

    /// <summary>Unit flags rewrite the job's units (its <c>controls</c>); without any, the job file's units stay.</summary>
    private static JobRequest WithUnits(CommandLineArguments args, JobRequest job, ModelArguments models, IReadOnlyList<string> unitInputs,
        IReadOnlyList<string> modes, IReadOnlyList<string> starts, IReadOnlyList<string> ends)
    {
        var extractors = args.All("control").Concat(args.All("preprocess")).ToList();
        var parameters = args.All("control-param");
        var scales = args.All("control-scale");
        bool anyUnitFlag = models.ControlNets.Count > 0 || extractors.Count > 0 || parameters.Count > 0 || scales.Count > 0
            || modes.Count > 0 || starts.Count > 0 || ends.Count > 0 || unitInputs.Count > 0;
        if (!anyUnitFlag) return job;

        var fromFile = job.UnitRequests();
        int n = models.ControlNets.Count > 0 ? models.ControlNets.Count : fromFile.Count;
        string? Pick(IReadOnlyList<string> values, string name, int k) => values.Count switch
        {
            0 => null,
            1 => values[0],
            _ when values.Count == n => values[k],
            _ => throw new InvalidInputException($"--{name} was given {values.Count} times for {n} ControlNet unit(s); give it once, or once per --controlnet."),
        };
        var pairs = parameters.Select(ParsePair).ToList();
        var units = new List<ControlUnitRequest>();
        for (int k = 0; k < n; k++)
        {
            var unit = k < fromFile.Count ? fromFile[k] : new ControlUnitRequest();
            var extractor = Pick(extractors, "control", k) ?? unit.Extractor;
            var known = ControlMapExtractors.Names.Contains(extractor, StringComparer.OrdinalIgnoreCase)
                ? ControlMapExtractors.Get(extractor).ParameterNames : [];
            var unitParameters = new Dictionary<string, string>(unit.Parameters ?? [], StringComparer.Ordinal);
            foreach (var (key, value) in pairs.Where(p => known.Contains(p.Key, StringComparer.OrdinalIgnoreCase)))
                unitParameters[key] = value;
            units.Add(unit with
            {
                Model = k < models.ControlNets.Count ? models.ControlNets[k] : unit.Model,
                Extractor = extractor,
                Parameters = unitParameters.Count > 0 ? unitParameters : null,
                Input = unitInputs.Count == 0 ? unit.Input : unitInputs.Count == 1 ? unitInputs[0] : Pick(unitInputs, "control-image", k),
                Scale = ParseNumber(Pick(scales, "control-scale", k), "control-scale") ?? unit.Scale,
                Mode = Pick(modes, "control-mode", k) ?? unit.Mode,
                GuidanceStart = ParseNumber(Pick(starts, "guidance-start", k), "guidance-start") ?? unit.GuidanceStart,
                GuidanceEnd = ParseNumber(Pick(ends, "guidance-end", k), "guidance-end") ?? unit.GuidanceEnd,
            });
        }
        // A parameter no unit reads is a typo, not something to ignore.
        var unread = pairs.Where(p => !units.Any(u => u.Parameters?.ContainsKey(p.Key) == true)).Select(p => p.Key).Distinct().ToList();
        if (unread.Count > 0)
            throw new InvalidInputException($"--control-param {string.Join(", ", unread)}: no unit's extractor ({string.Join(", ", units.Select(u => u.Extractor).Distinct())}) reads it.");
        return job with { Controls = units, Control = null, ControlParameters = null, ControlNets = null, ControlScale = null };
    }

    private static (string Key, string Value) ParsePair(string pair)
    {
        var eq = pair.IndexOf('=');
        if (eq <= 0) throw new InvalidInputException($"--control-param '{pair}' must look like name=value.");
        return (pair[..eq], pair[(eq + 1)..]);
    }

    private static int? Int(CommandLineArguments args, string name) => args.Optional(name) is { } text
        ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value : throw new InvalidInputException($"Option --{name} must be an integer, got '{text}'.")
        : null;

    private static long? Long(CommandLineArguments args, string name) => args.Optional(name) is { } text
        ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value : throw new InvalidInputException($"Option --{name} must be an integer, got '{text}'.")
        : null;

    private static double? Number(CommandLineArguments args, string name) => ParseNumber(args.Optional(name), name);

    private static double? ParseNumber(string? text, string name) => text is null
        ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value : throw new InvalidInputException($"Option --{name} must be a number, got '{text}'.");
}
