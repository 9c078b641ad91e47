using ControlNet.Core;
using ControlNet.Core.ControlMaps;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet preprocess TYPE --input IN --output OUT.png [--resolution N | --keep-size] [type options]`: the paper
/// demo's preprocess — HWC3 (at decode), <c>resize_image(img, N)</c>, then the extractor — exactly as a job's unit
/// makes its map, with the demo's default resolution of 512.
/// </summary>
internal static class PreprocessCommand
{
    /// <summary>One spec per extractor: its own parameters are its flags (from the extractor's parameter table).</summary>
    public static CommandSpec Spec(IControlMapExtractor extractor) => new($"preprocess {extractor.Name}",
        "--input IMG --output OUT.png [--resolution N | --keep-size]" + string.Concat(extractor.Parameters.Select(p => $" [--{p.Name} {p.DefaultText}]")),
        $"the '{extractor.Name}' control map of an image, as a job's unit makes it",
        [
            new("input", "IMG", "source image (PNG, JPEG, WebP, BMP)"),
            new("output", "OUT.png", "where to write the map"),
            new("resolution", "N", "short side first (the reference resize_image: sides to multiples of 64, cv2 INTER_AREA/LANCZOS4)", JobLimits.DefaultResolution.ToString()),
            new("keep-size", null, "skip the resize: the map has the input's own size"),
            new("max-megapixels", "N", "largest image accepted, checked on the header before decoding", ImageDecoder.DefaultMaxMegapixels.ToString()),
            .. extractor.Parameters.Select(p => new CliOption(p.Name, p.IsInteger ? "N" : "X", $"{p.Description} ({p.RangeText})", p.DefaultText)),
        ]);

    public static string Overview => "controlnet preprocess TYPE — a control map; TYPE is one of: " + string.Join(", ", ControlMapExtractors.Names)
        + ".\nRun 'controlnet help preprocess TYPE' for a type's options.";

    public static int Run(string[] raw)
    {
        if (raw.Length == 0 || raw[0].StartsWith("--", StringComparison.Ordinal))
            throw new InvalidInputException($"preprocess needs a control type first: {string.Join(", ", ControlMapExtractors.Names)}.");
        var extractor = ControlMapExtractors.Get(raw[0]);
        var args = new CommandLineArguments(raw.Skip(1), Spec(extractor));
        var input = args.Required("input");
        var output = OutputPaths.RequireWritablePng(args.Required("output"));
        bool keepSize = args.Flag("keep-size");
        if (keepSize && args.Has("resolution"))
            throw new InvalidInputException("Give --resolution or --keep-size, not both.");
        var resolution = args.Int("resolution", JobLimits.DefaultResolution, ReferenceResize.MinResolution, ReferenceResize.MaxResolution);
        var maxMegapixels = args.Int("max-megapixels", ImageDecoder.DefaultMaxMegapixels, 1, 1000);
        var parameters = new ControlMapParameters(extractor.ParameterNames
            .Select(name => (name, value: args.Optional(name))).Where(p => p.value is not null).ToDictionary(p => p.name, p => p.value!));
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        var source = ImageDecoder.DecodeFile(input, maxMegapixels);
        if (!keepSize) source = ReferenceResize.ToResolution(source, resolution);
        var map = extractor.Extract(source, parameters);
        var description = parameters.Values.Count == 0
            ? extractor.Name
            : extractor.Name + " " + string.Join(" ", parameters.Values.Select(p => $"{p.Key}={p.Value}"));
        PngFile.WriteFile(map, output, new Dictionary<string, string> { ["controlnet-preprocess"] = description });
        Console.WriteLine($"wrote {output} ({map.Width}x{map.Height}, {description})");
        return 0;
    }
}
