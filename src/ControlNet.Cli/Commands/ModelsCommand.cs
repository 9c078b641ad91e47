using ControlNet.Core;
using ControlNet.TinyModels;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet models tiny --output DIR [--kind linear|bench] [--fp16]`: writes a complete tiny model set
/// (DIR/sd15/… and DIR/controlnet/canny/) with the real I/O contract. They make noise, not pictures.
/// </summary>
internal static class ModelsCommand
{
    public static readonly CommandSpec Spec = new("models tiny", "--output DIR [--kind linear|bench] [--fp16]",
        "writes tiny ONNX models with the real SD 1.5 / ControlNet contract (they make noise, not pictures)",
        [
            new("output", "DIR", "models root to write: DIR/sd15/… and DIR/controlnet/canny/"),
            new("kind", "linear|bench", "linear: closed-form, for tests; bench: convolutions sized like a real step", "linear"),
            new("fp16", null, "float16 weights and tensors, as fp16 exports"),
        ]);

    public static int Run(string[] raw)
    {
        if (raw.FirstOrDefault() != "tiny")
            throw new InvalidInputException("models needs a subcommand: 'models tiny --output DIR'. Real weights: see the README (models/ section).");
        var args = new CommandLineArguments(raw.Skip(1), Spec);
        var output = args.Required("output");
        var kind = (args.Optional("kind") ?? "linear") switch
        {
            "linear" => TinyModelKind.Linear,
            "bench" => TinyModelKind.Bench,
            var other => throw new InvalidInputException($"Unknown tiny model kind '{other}'; use linear or bench."),
        };
        bool fp16 = args.Flag("fp16");
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        var paths = TinyModelSet.Write(output, new TinyModelOptions
        {
            Kind = kind,
            FloatType = fp16 ? TinyFloatType.Float16 : TinyFloatType.Float32,
        });
        Console.WriteLine($"wrote tiny {kind.ToString().ToLowerInvariant()} models (they generate noise-like images, for tests and plumbing):");
        Console.WriteLine($"  --model {paths.Sd15Directory}");
        Console.WriteLine($"  --controlnet {paths.ControlNetDirectory}");
        return 0;
    }
}
