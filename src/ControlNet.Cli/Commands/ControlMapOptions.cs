using ControlNet.Core;
using ControlNet.Core.ControlMaps;

namespace ControlNet.Cli.Commands;

/// <summary>An extractor's parameters as CLI flags: `--low 50` for canny's "low", and so on.</summary>
internal static class ControlMapOptions
{
    public static ControlMapParameters Read(CommandLineArguments args, IControlMapExtractor extractor)
    {
        var values = new Dictionary<string, string>();
        foreach (var name in extractor.ParameterNames)
            if (args.Optional(name) is { } value) values[name] = value;
        return new ControlMapParameters(values);
    }

    public static string Describe(IControlMapExtractor extractor, ControlMapParameters parameters) =>
        parameters.Values.Count == 0
            ? extractor.Name
            : extractor.Name + " " + string.Join(" ", parameters.Values.Select(p => $"{p.Key}={p.Value}"));
}
