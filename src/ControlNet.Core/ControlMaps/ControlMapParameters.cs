using System.Globalization;

namespace ControlNet.Core.ControlMaps;

/// <summary>
/// Extractor parameters as users give them (CLI flags, job JSON, blob metadata): names to strings,
/// parsed and range-checked on read so the error names the parameter and the accepted range.
/// </summary>
public sealed class ControlMapParameters
{
    private readonly Dictionary<string, string> _values;

    public static ControlMapParameters Empty { get; } = new(new Dictionary<string, string>());

    public ControlMapParameters(IReadOnlyDictionary<string, string> values)
    {
        _values = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>The parameter's value (its default when absent), range-checked as its row says.</summary>
    public double Read(ExtractorParameter parameter) => parameter.IsInteger
        ? GetInt(parameter.Name, (int)parameter.Default, (int)parameter.Min, (int)parameter.Max)
        : GetDouble(parameter.Name, parameter.Default, parameter.Min, parameter.Max);

    public double GetDouble(string name, double defaultValue, double min, double max)
    {
        if (!_values.TryGetValue(name, out var text)) return defaultValue;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new InvalidInputException($"Parameter '{name}' must be a number, got '{text}'.");
        if (value < min || value > max)
            throw new InvalidInputException($"Parameter '{name}' must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, got {text}.");
        return value;
    }

    public int GetInt(string name, int defaultValue, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text)) return defaultValue;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new InvalidInputException($"Parameter '{name}' must be an integer, got '{text}'.");
        if (value < min || value > max)
            throw new InvalidInputException($"Parameter '{name}' must be between {min} and {max}, got {value}.");
        return value;
    }

    /// <summary>Rejects names the extractor does not read, so a typo is not silently ignored.</summary>
    public void RejectUnknown(string extractor, IReadOnlyList<string> known)
    {
        var unknown = _values.Keys.Where(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count == 0) return;
        var accepted = known.Count == 0 ? "none" : string.Join(", ", known);
        throw new InvalidInputException($"Control type '{extractor}' does not take parameter(s) {string.Join(", ", unknown)}; it accepts: {accepted}.");
    }
}
