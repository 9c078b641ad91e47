namespace ControlNet.TinyModels;

/// <summary><see cref="Linear"/>: closed-form outputs tests can predict. <see cref="Bench"/>: seeded random convolutions with real CPU cost.</summary>
public enum TinyModelKind { Linear, Bench }

/// <summary>Element type of every float input and output of every model (fp16 exports are common).</summary>
public enum TinyFloatType { Float32, Float16 }

/// <summary>Element type of the UNet's and ControlNet's <c>timestep</c> input; exports differ.</summary>
public enum TinyTimestepType { Float32, Float16, Int64 }

/// <summary>Element type of the text encoder's <c>input_ids</c>.</summary>
public enum TinyInputIdsType { Int32, Int64 }

/// <summary>Whether the ControlNet takes a <c>conditioning_scale</c> input, and of which type.</summary>
public enum TinyConditioningScaleInput { None, Float64, Float32 }

/// <summary>Channel widths of the three resolution levels (SD1.5's block_out_channels are 320, 640, 1280).</summary>
public readonly record struct ChannelWidths(int C0, int C1, int C2)
{
    public static ChannelWidths Default => new(16, 32, 64);
}

/// <summary>What <see cref="TinyModelSet.Write"/> generates. The defaults mirror a float32 SD1.5 export.</summary>
public sealed record TinyModelOptions
{
    public TinyModelKind Kind { get; init; } = TinyModelKind.Linear;
    public TinyFloatType FloatType { get; init; } = TinyFloatType.Float32;
    public TinyTimestepType TimestepType { get; init; } = TinyTimestepType.Float32;
    public TinyInputIdsType InputIdsType { get; init; } = TinyInputIdsType.Int32;
    public TinyConditioningScaleInput ConditioningScaleInput { get; init; } = TinyConditioningScaleInput.Float64;

    /// <summary>Width D of the text embedding (768 in SD1.5).</summary>
    public int EmbeddingDim { get; init; } = 32;

    public ChannelWidths Channels { get; init; } = ChannelWidths.Default;

    /// <summary>Seed of the Bench kind's random weights.</summary>
    public int Seed { get; init; } = 1234;

    public void Validate()
    {
        if (EmbeddingDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(EmbeddingDim), EmbeddingDim, "The embedding width must be positive.");
        if (Channels.C0 <= 0 || Channels.C1 <= 0 || Channels.C2 <= 0)
            throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "Every channel width must be positive.");
    }

    internal OnnxElementType FloatElementType => FloatType == TinyFloatType.Float16 ? OnnxElementType.Float16 : OnnxElementType.Float;

    internal OnnxElementType TimestepElementType => TimestepType switch
    {
        TinyTimestepType.Float16 => OnnxElementType.Float16,
        TinyTimestepType.Int64 => OnnxElementType.Int64,
        _ => OnnxElementType.Float,
    };

    internal OnnxElementType InputIdsElementType => InputIdsType == TinyInputIdsType.Int64 ? OnnxElementType.Int64 : OnnxElementType.Int32;
}
