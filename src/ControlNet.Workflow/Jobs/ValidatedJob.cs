using ControlNet.Core.Diffusion;
using ControlNet.Core.Randomness;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// A job that passed <see cref="JobValidator"/>: its id fixed, its prompt resolved, its shorthand expanded into
/// units with every default filled in. <see cref="Normalized"/> is the same job as a version-2 document
/// (what manifests and PNG metadata record).
/// </summary>
public sealed record ValidatedJob(
    string JobId,
    JobRequest Request,
    PromptMode PromptMode,
    string EffectivePrompt,
    IReadOnlyList<ValidatedUnit> Units)
{
    /// <summary>The job as a version-2 document with units spelled out (seed as given: null = random).</summary>
    public JobRequest Normalized => Request with
    {
        SchemaVersion = JobRequest.CurrentSchemaVersion,
        JobId = JobId,
        Seed = Request.Seed is JobLimits.RandomSeed ? null : Request.Seed,
        Rng = NoiseSources.Name(Noise),
        PromptMode = PromptMode.ToString().ToLowerInvariant(),
        Control = null,
        ControlParameters = null,
        ControlNets = null,
        ControlScale = null,
        Controls = Units.Select(u => new ControlUnitRequest
        {
            Model = u.Model,
            Extractor = u.Extractor,
            Parameters = u.Parameters.Count == 0 ? null : new Dictionary<string, string>(u.Parameters, StringComparer.Ordinal),
            Input = u.Input == Request.Input ? null : u.Input,
            Scale = u.Scale,
            Mode = ControlModes.Name(u.Mode),
            GuidanceStart = u.GuidanceStart,
            GuidanceEnd = u.GuidanceEnd,
        }).ToList(),
    };

    /// <summary>The job's noise source (validated; absent = the default, torch's CPU generator).</summary>
    public NoiseSource Noise => NoiseSources.TryParse(Request.Rng) ?? NoiseSources.Default;

    /// <summary>The seed of image 0 when the job fixes one; null when it is to be drawn at random.</summary>
    public long? Seed => Request.Seed is JobLimits.RandomSeed ? null : Request.Seed;
}

/// <summary>One ControlNet unit of a validated job, every field resolved.</summary>
public sealed record ValidatedUnit(
    int Index,
    string Model,
    string Extractor,
    IReadOnlyDictionary<string, string> Parameters,
    string Input,
    string? InputETag,
    double Scale,
    ControlMode Mode,
    double GuidanceStart,
    double GuidanceEnd);
