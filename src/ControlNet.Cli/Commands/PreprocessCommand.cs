using ControlNet.Core;
using ControlNet.Core.ControlMaps;
using ControlNet.Core.Imaging;

namespace ControlNet.Cli.Commands;

/// <summary>`controlnet preprocess TYPE --input IN --output OUT.png [--resolution N] [type options]`.</summary>
internal static class PreprocessCommand
{
    public static int Run(string[] raw)
    {
        if (raw.Length == 0 || raw[0].StartsWith("--", StringComparison.Ordinal))
            throw new InvalidInputException($"preprocess needs a control type first: {string.Join(", ", ControlMapExtractors.Names)}.");
        var extractor = ControlMapExtractors.Get(raw[0]);
        var args = new CommandLineArguments(raw.Skip(1));
        var input = args.Required("input");
        var output = OutputPaths.RequirePng(args.Required("output"));
        var resolution = args.OptionalInt("resolution", ReferenceResize.MinResolution, ReferenceResize.MaxResolution);
        var maxMegapixels = args.Int("max-megapixels", ImageDecoder.DefaultMaxMegapixels, 1, 1000);
        var parameters = ControlMapOptions.Read(args, extractor);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        var source = ImageDecoder.DecodeFile(input, maxMegapixels);
        if (resolution is { } r) source = ReferenceResize.ToResolution(source, r);
        var map = extractor.Extract(source, parameters);
        var description = ControlMapOptions.Describe(extractor, parameters);
        PngFile.WriteFile(map, output, new Dictionary<string, string> { ["controlnet-preprocess"] = description });
        Console.WriteLine($"wrote {output} ({map.Width}x{map.Height}, {description})");
        return 0;
    }
}
