using System.Globalization;

namespace ControlNet.Core.ControlMaps;

/// <summary>
/// One parameter an extractor reads: its name, default and accepted range. The same row parses the value,
/// checks it before a job is accepted, and prints the help line, so the three cannot drift apart.
/// </summary>
public sealed record ExtractorParameter(string Name, double Default, double Min, double Max, bool IsInteger, string Description)
{
    public string DefaultText => Default.ToString(CultureInfo.InvariantCulture);

    public string RangeText => $"{Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString(CultureInfo.InvariantCulture)}{(IsInteger ? ", integer" : "")}";
}
