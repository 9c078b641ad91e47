using System.Globalization;
using ControlNet.Core;

namespace ControlNet.Cli;

/// <summary>
/// `--name value` options (repeatable), `--flag` switches and positional words, parsed once.
/// Every option a command reads is marked as used; <see cref="RejectUnused"/> turns a typo into an error
/// instead of a silently ignored flag.
/// </summary>
public sealed class CommandLineArguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positional { get; }

    /// <param name="flagNames">Options that take no value (e.g. "json").</param>
    public CommandLineArguments(IEnumerable<string> args, IEnumerable<string>? flagNames = null)
    {
        var flags = new HashSet<string>(flagNames ?? [], StringComparer.Ordinal);
        var positional = new List<string>();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                positional.Add(arg);
                continue;
            }
            var name = arg[2..];
            string? inlineValue = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inlineValue = name[(eq + 1)..]; name = name[..eq]; }
            if (flags.Contains(name) && inlineValue is null) { _flags.Add(name); continue; }
            if (inlineValue is null)
            {
                if (!e.MoveNext()) throw new InvalidInputException($"Option --{name} needs a value.");
                inlineValue = e.Current;
            }
            if (!_options.TryGetValue(name, out var list)) _options[name] = list = [];
            list.Add(inlineValue);
        }
        Positional = positional;
    }

    public bool Flag(string name) { _used.Add(name); return _flags.Contains(name); }

    public bool Has(string name) { _used.Add(name); return _options.ContainsKey(name); }

    public string? Optional(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var values)) return null;
        if (values.Count > 1) throw new InvalidInputException($"Option --{name} was given {values.Count} times; give it once.");
        return values[0];
    }

    public string Required(string name) =>
        Optional(name) ?? throw new InvalidInputException($"Missing required option --{name}.");

    public IReadOnlyList<string> All(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var values) ? values : [];
    }

    public int Int(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Optional(name);
        if (text is null) return defaultValue;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new InvalidInputException($"Option --{name} must be an integer, got '{text}'.");
        if (value < min || value > max)
            throw new InvalidInputException($"Option --{name} must be between {min} and {max}, got {value}.");
        return value;
    }

    public int? OptionalInt(string name, int min = int.MinValue, int max = int.MaxValue) =>
        Has(name) ? Int(name, 0, min, max) : null;

    public long? OptionalLong(string name)
    {
        var text = Optional(name);
        if (text is null) return null;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new InvalidInputException($"Option --{name} must be an integer, got '{text}'.");
        return value;
    }

    public double Double(string name, double defaultValue, double min = double.MinValue, double max = double.MaxValue)
    {
        var text = Optional(name);
        if (text is null) return defaultValue;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new InvalidInputException($"Option --{name} must be a number, got '{text}'.");
        if (value < min || value > max)
            throw new InvalidInputException($"Option --{name} must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, got {text}.");
        return value;
    }

    /// <summary>Fails on any option or flag the command did not read.</summary>
    public void RejectUnused()
    {
        var unknown = _options.Keys.Concat(_flags).Where(n => !_used.Contains(n)).Select(n => "--" + n).ToList();
        if (unknown.Count > 0)
            throw new InvalidInputException($"Unknown option(s): {string.Join(", ", unknown)}. Run 'controlnet help' for the list.");
    }
}
