using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlNet.Core.Scheduling;

/// <summary>
/// diffusers' <c>scheduler_config.json</c> for DDIM. Defaults are Stable Diffusion 1.5's (docs/numerics.md);
/// keys not listed here (e.g. <c>_class_name</c>) are ignored, unknown values of known keys are errors.
/// </summary>
public sealed record DdimSchedulerConfig
{
    [JsonPropertyName("num_train_timesteps")] public int NumTrainTimesteps { get; init; } = 1000;
    [JsonPropertyName("beta_start")] public double BetaStart { get; init; } = 0.00085;
    [JsonPropertyName("beta_end")] public double BetaEnd { get; init; } = 0.012;
    /// <summary>linear | scaled_linear | squaredcos_cap_v2</summary>
    [JsonPropertyName("beta_schedule")] public string BetaSchedule { get; init; } = "scaled_linear";
    [JsonPropertyName("clip_sample")] public bool ClipSample { get; init; }
    [JsonPropertyName("clip_sample_range")] public double ClipSampleRange { get; init; } = 1.0;
    [JsonPropertyName("set_alpha_to_one")] public bool SetAlphaToOne { get; init; }
    [JsonPropertyName("steps_offset")] public int StepsOffset { get; init; } = 1;
    /// <summary>leading | trailing | linspace</summary>
    [JsonPropertyName("timestep_spacing")] public string TimestepSpacing { get; init; } = "leading";
    /// <summary>epsilon | v_prediction | sample</summary>
    [JsonPropertyName("prediction_type")] public string PredictionType { get; init; } = "epsilon";

    public static DdimSchedulerConfig StableDiffusion15 { get; } = new();

    /// <summary>Reads <c>scheduler_config.json</c>; a missing file means the SD1.5 defaults.</summary>
    public static DdimSchedulerConfig Load(string path)
    {
        if (!File.Exists(path)) return StableDiffusion15;
        DdimSchedulerConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<DdimSchedulerConfig>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path} is not valid scheduler JSON: {e.Message}", e);
        }
        return (config ?? StableDiffusion15).Validated(path);
    }

    public DdimSchedulerConfig Validated(string source = "scheduler config")
    {
        string? problem = null;
        if (NumTrainTimesteps is < 1 or > 100_000) problem = $"num_train_timesteps must be 1..100000, got {NumTrainTimesteps}";
        else if (BetaSchedule is not ("linear" or "scaled_linear" or "squaredcos_cap_v2")) problem = $"beta_schedule '{BetaSchedule}' is not supported (linear, scaled_linear, squaredcos_cap_v2)";
        else if (TimestepSpacing is not ("leading" or "trailing" or "linspace")) problem = $"timestep_spacing '{TimestepSpacing}' is not supported (leading, trailing, linspace)";
        else if (PredictionType is not ("epsilon" or "v_prediction" or "sample")) problem = $"prediction_type '{PredictionType}' is not supported (epsilon, v_prediction, sample)";
        else if (BetaStart <= 0 || BetaEnd <= 0 || BetaEnd >= 1) problem = $"beta_start/beta_end must lie in (0, 1), got {BetaStart}/{BetaEnd}";
        if (problem is not null) throw new InvalidInputException($"{source}: {problem}.");
        return this;
    }
}
