using System.Numerics.Tensors;
using ControlNet.Core.Imaging;

namespace ControlNet.Core.ControlMaps;

/// <summary>`invert`: 255 − x, for line art drawn black on white (ControlNets expect white on black).</summary>
public sealed class InvertExtractor : IControlMapExtractor
{
    public string Name => "invert";
    public IReadOnlyList<ExtractorParameter> Parameters { get; } = [];

    public ByteImage Extract(ByteImage source, ControlMapParameters parameters)
    {
        ((IControlMapExtractor)this).CheckParameters(parameters);
        var map = new ByteImage(source.Width, source.Height, source.Channels);
        TensorPrimitives.OnesComplement<byte>(source.Data, map.Data);
        return map;
    }
}
