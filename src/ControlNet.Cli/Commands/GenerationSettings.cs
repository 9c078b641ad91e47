using System.Globalization;
using System.Text;
using ControlNet.Core;
using ControlNet.Core.ControlMaps;
using ControlNet.Core.Diffusion;
using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;

namespace ControlNet.Cli.Commands;

/// <summary>
/// The generation flags shared by `generate` and `bench generate`, parsed and checked before any model
/// loads. Per-ControlNet flags (--control-image, --preprocess, --control-scale, --control-mode,
/// --guidance-start/end) are given once for all ControlNets or once per --controlnet, in the same order.
/// </summary>
internal sealed record GenerationSettings
{
    public required string ModelDirectory { get; init; }
    public required IReadOnlyList<string> ControlNetDirectories { get; init; }
    public required IReadOnlyList<string> ControlImages { get; init; }
    public required IReadOnlyList<IControlMapExtractor> Preprocessors { get; init; }
    public required ControlMapParameters PreprocessParameters { get; init; }
    public required IReadOnlyList<double> ControlScales { get; init; }
    public required IReadOnlyList<ControlMode> ControlModes { get; init; }
    public required IReadOnlyList<double> GuidanceStarts { get; init; }
    public required IReadOnlyList<double> GuidanceEnds { get; init; }
    public required PromptMode PromptMode { get; init; }
    public required string Prompt { get; init; }
    public required string NegativePrompt { get; init; }
    public required int Steps { get; init; }
    public required double Guidance { get; init; }
    public required long Seed { get; init; }
    public required int Count { get; init; }
    public required double Eta { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public int? Resolution { get; init; }
    public required int MaxImagesPerBatch { get; init; }
    public required OnnxRuntimeOptions Runtime { get; init; }

    /// <param name="controlImageRequired">false for `bench generate`, which can synthesise a map.</param>
    public static GenerationSettings Read(CommandLineArguments args, bool controlImageRequired = true)
    {
        var controlNets = args.All("controlnet");
        if (controlNets.Count == 0) throw new InvalidInputException("Missing required option --controlnet (a folder holding model.onnx).");
        int n = controlNets.Count;
        var images = args.All("control-image");
        if (controlImageRequired && images.Count == 0) throw new InvalidInputException("Missing required option --control-image.");
        var preprocessors = PerControlNet(args, "preprocess", n, "canny").Select(ControlMapExtractors.Get).ToArray();
        // Extractor flags (--low, --high, --threshold, …) are shared by all ControlNets.
        var parameterNames = preprocessors.SelectMany(p => p.ParameterNames).Distinct().ToArray();
        var values = new Dictionary<string, string>();
        foreach (var name in parameterNames) if (args.Optional(name) is { } v) values[name] = v;

        int? width = args.OptionalInt("width", 8, GenerationRequest.MaxSide);
        int? height = args.OptionalInt("height", 8, GenerationRequest.MaxSide);
        if (width.HasValue != height.HasValue) throw new InvalidInputException("Give both --width and --height, or neither (the control map's size is used).");

        var settings = new GenerationSettings
        {
            ModelDirectory = args.Required("model"),
            ControlNetDirectories = controlNets,
            ControlImages = images.Count is 0 or 1 ? images : RequireCount(images, n, "control-image"),
            Preprocessors = preprocessors,
            PreprocessParameters = new ControlMapParameters(values),
            ControlScales = PerControlNet(args, "control-scale", n, "1.0").Select(s => ParseDouble("control-scale", s)).ToArray(),
            ControlModes = PerControlNet(args, "control-mode", n, "balanced").Select(ControlNet.Core.Diffusion.ControlModes.Parse).ToArray(),
            GuidanceStarts = PerControlNet(args, "guidance-start", n, "0").Select(s => ParseDouble("guidance-start", s)).ToArray(),
            GuidanceEnds = PerControlNet(args, "guidance-end", n, "1").Select(s => ParseDouble("guidance-end", s)).ToArray(),
            // As the job contract: a prompt means "user", none means the paper's default prompt.
            PromptMode = PromptModes.Parse(args.Optional("prompt-mode") ?? (args.Has("prompt") ? "user" : "default")),
            Prompt = args.Optional("prompt") ?? "",
            NegativePrompt = args.Optional("negative-prompt") ?? "",
            Steps = args.Int("steps", 20),
            Guidance = args.Double("guidance", 9.0),
            Seed = args.OptionalLong("seed") ?? Random.Shared.NextInt64(0, 1L << 32),
            Count = args.Int("count", 1),
            Eta = args.Double("eta", 0),
            Width = width,
            Height = height,
            Resolution = args.OptionalInt("resolution", ReferenceResize.MinResolution, ReferenceResize.MaxResolution),
            MaxImagesPerBatch = args.Int("batch", 4, 1, GenerationRequest.MaxCount),
            Runtime = PipelineGeneratorOptions.ReadRuntime(args),
        };
        if (settings.PromptMode != PromptMode.User && settings.Prompt.Length > 0)
            throw new InvalidInputException($"--prompt was given but --prompt-mode is {settings.PromptMode.ToString().ToLowerInvariant()}; drop one of them.");
        return settings;
    }

    /// <summary>Loads (or reuses) the models, makes the control maps and the request — everything but sampling.</summary>
    public (ControlNetPipeline Pipeline, GenerationRequest Request) Build(ModelCache cache, IReadOnlyList<ByteImage>? sourceImages = null)
    {
        // Decode and check the inputs before loading models: bad input fails fast and cheaply.
        var sources = sourceImages ?? ControlImages.Select(path => ImageDecoder.DecodeFile(path)).ToArray();
        var maps = new ByteImage[ControlNetDirectories.Count];
        for (int i = 0; i < maps.Length; i++)
            maps[i] = MakeControlMap(sources[sources.Count == 1 ? 0 : i], Preprocessors[i]);
        int width = Width ?? maps[0].Width / 8 * 8;
        int height = Height ?? maps[0].Height / 8 * 8;
        if (width == 0 || height == 0) throw new InvalidInputException($"The control map is {maps[0].Width}x{maps[0].Height}; it must be at least 8x8.");
        for (int i = 0; i < maps.Length; i++)
            if (maps[i].Width != width || maps[i].Height != height)
                maps[i] = Preprocessors[i].Name == "none" && Width is not null
                    ? maps[i] // an explicit size that disagrees with a ready-made map is the user's to fix: the request reports it
                    : ReferenceResize.ToSize(maps[i], width, height);

        var models = cache.StableDiffusion(ModelDirectory);
        var units = ControlNetDirectories.Select((dir, i) => new ControlUnit(
            cache.ControlNet(dir), maps[i], ControlScales[i], ControlModes[i], GuidanceStarts[i], GuidanceEnds[i])).ToArray();
        var request = new GenerationRequest
        {
            Prompt = PromptModes.Resolve(PromptMode, Prompt),
            NegativePrompt = NegativePrompt,
            Steps = Steps,
            GuidanceScale = Guidance,
            Seed = Seed,
            Count = Count,
            Width = width,
            Height = height,
            Eta = Eta,
            Controls = units,
        };
        request.Validate();
        return (new ControlNetPipeline(models, MaxImagesPerBatch), request);
    }

    private ByteImage MakeControlMap(ByteImage source, IControlMapExtractor extractor)
    {
        if (Resolution is { } resolution) source = ReferenceResize.ToResolution(source, resolution);
        else if (Width is { } w && Height is { } h && extractor.Name != "none") source = ReferenceResize.ToSize(source, w, h);
        var parameters = new ControlMapParameters(PreprocessParameters.Values
            .Where(p => extractor.ParameterNames.Contains(p.Key, StringComparer.OrdinalIgnoreCase))
            .ToDictionary(p => p.Key, p => p.Value));
        return extractor.Extract(source, parameters);
    }

    /// <summary>The A1111-style "parameters" text stored in each PNG.</summary>
    public string Describe(GenerationRequest request, long seed)
    {
        var text = new StringBuilder();
        text.AppendLine(request.Prompt);
        if (request.NegativePrompt.Length > 0) text.AppendLine($"Negative prompt: {request.NegativePrompt}");
        text.Append(string.Create(CultureInfo.InvariantCulture,
            $"Steps: {request.Steps}, Sampler: DDIM, CFG scale: {request.GuidanceScale}, Seed: {seed}, Size: {request.Width}x{request.Height}, " +
            $"Eta: {request.Eta}, Prompt mode: {PromptMode.ToString().ToLowerInvariant()}, Model: {Path.GetFileName(Path.TrimEndingDirectorySeparator(ModelDirectory))}"));
        for (int i = 0; i < request.Controls.Count; i++)
        {
            var unit = request.Controls[i];
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $", ControlNet {i}: \"Module: {Preprocessors[i].Name}, Model: {unit.ControlNet.Name}, Weight: {unit.ConditioningScale}, " +
                $"Guidance Start: {unit.GuidanceStart}, Guidance End: {unit.GuidanceEnd}, Control Mode: {unit.Mode.ToString().ToLowerInvariant()}\""));
        }
        return text.ToString();
    }

    private static IReadOnlyList<string> PerControlNet(CommandLineArguments args, string name, int controlNets, string defaultValue)
    {
        var values = args.All(name);
        if (values.Count == 0) return Enumerable.Repeat(defaultValue, controlNets).ToArray();
        if (values.Count == 1) return Enumerable.Repeat(values[0], controlNets).ToArray();
        return RequireCount(values, controlNets, name);
    }

    private static IReadOnlyList<string> RequireCount(IReadOnlyList<string> values, int controlNets, string name) =>
        values.Count == controlNets
            ? values
            : throw new InvalidInputException($"--{name} was given {values.Count} times for {controlNets} --controlnet folders; give it once or once per ControlNet.");

    private static double ParseDouble(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new InvalidInputException($"Option --{name} must be a number, got '{text}'.");
}
