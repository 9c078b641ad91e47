using System.Globalization;
using ControlNet.Core;

namespace ControlNet.Cli;

/// <summary>
/// `--name value` options (repeatable), `--flag` switches and positional words, parsed once against the
/// command's <see cref="CommandSpec"/>: an option the spec does not list is the user's error at once, and reading
/// one it does not list is ours (the help would not show it). <see cref="RejectUnused"/> catches a listed option
/// that this particular use of the command ignores.
/// </summary>
public sealed class CommandLineArguments
{
    private readonly CommandSpec _spec;
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positional { get; }

    public CommandLineArguments(IEnumerable<string> args, CommandSpec spec)
    {
        _spec = spec;
        var flags = new HashSet<string>(spec.Options.Where(o => o.IsSwitch).Select(o => o.Name), StringComparer.Ordinal);
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
            if (spec.Find(name) is null)
                throw new InvalidInputException($"Unknown option --{name} for 'controlnet {spec.Name}'. Run 'controlnet {spec.Name} --help' for its options.");
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

    public string CommandName => _spec.Name;

    public bool Flag(string name) { Use(name); return _flags.Contains(name); }

    public bool Has(string name) { Use(name); return _options.ContainsKey(name); }

    public string? Optional(string name)
    {
        Use(name);
        if (!_options.TryGetValue(name, out var values)) return null;
        if (values.Count > 1) throw new InvalidInputException($"Option --{name} was given {values.Count} times; give it once.");
        return values[0];
    }

    public string Required(string name) =>
        Optional(name) ?? throw new InvalidInputException($"Missing required option --{name}.");

    public IReadOnlyList<string> All(string name)
    {
        Use(name);
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

    private void Use(string name)
    {
        if (_spec.Find(name) is null)
            throw new InvalidOperationException($"'controlnet {_spec.Name}' reads --{name}, which its option table does not list.");
        _used.Add(name);
    }

    /// <summary>Fails on any option or flag the command did not read.</summary>
    public void RejectUnused()
    {
        var unknown = _options.Keys.Concat(_flags).Where(n => !_used.Contains(n)).Select(n => "--" + n).ToList();
        if (unknown.Count > 0)
            throw new InvalidInputException($"Option(s) {string.Join(", ", unknown)} have no effect here. Run 'controlnet {_spec.Name} --help'.");
    }
}
