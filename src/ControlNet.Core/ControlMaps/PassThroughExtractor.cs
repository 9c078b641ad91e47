using ControlNet.Core.Imaging;

namespace ControlNet.Core.ControlMaps;

/// <summary>`none`: the input already is a control map (made elsewhere); used as it is.</summary>
public sealed class PassThroughExtractor : IControlMapExtractor
{
    public string Name => "none";
    public IReadOnlyList<ExtractorParameter> Parameters { get; } = [];

    public ByteImage Extract(ByteImage source, ControlMapParameters parameters)
    {
        ((IControlMapExtractor)this).CheckParameters(parameters);
        return source;
    }
}
