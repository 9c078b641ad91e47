using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;
using ControlNet.Core.Randomness;

namespace ControlNet.Core.Diffusion;

/// <summary>One ControlNet applied to the generation, with its control map and how strongly it acts.</summary>
public sealed record ControlUnit(
    ControlNetModel ControlNet,
    ByteImage ControlMap,
    double ConditioningScale = 1.0,
    ControlMode Mode = ControlMode.Balanced,
    double GuidanceStart = 0.0,
    double GuidanceEnd = 1.0)
{
    /// <summary>diffusers' window: step i of N is controlled unless i/N &lt; start or (i+1)/N &gt; end.</summary>
    public bool IsActiveAt(int step, int steps) =>
        !((double)step / steps < GuidanceStart || (double)(step + 1) / steps > GuidanceEnd);
}

/// <summary>What to generate. Defaults are the paper's experiment settings (DDIM, 20 steps, CFG 9).</summary>
public sealed record GenerationRequest
{
    public const int MaxCount = 16;
    public const int MaxSide = 4096;

    public string Prompt { get; init; } = "";
    public string NegativePrompt { get; init; } = "";
    public int Steps { get; init; } = 20;
    public double GuidanceScale { get; init; } = 9.0;
    public long Seed { get; init; }
    /// <summary>Which generator turns the seed into noise; image i uses seed + i with a fresh generator (A1111's rule).</summary>
    public NoiseSource Noise { get; init; } = NoiseSources.Default;
    public int Count { get; init; } = 1;
    /// <summary>Output size; must equal every control map's size and be a multiple of 8.</summary>
    public int Width { get; init; }
    public int Height { get; init; }
    /// <summary>DDIM η; 0 is deterministic DDIM (the paper's setting).</summary>
    public double Eta { get; init; }
    public IReadOnlyList<ControlUnit> Controls { get; init; } = [];

    /// <summary>All problems at once, so a user fixes a request in one go.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Steps < 1 || Steps > Scheduling.DdimScheduler.MaxSteps) problems.Add($"steps must be between 1 and {Scheduling.DdimScheduler.MaxSteps}, got {Steps}");
        if (!double.IsFinite(GuidanceScale) || GuidanceScale < 0 || GuidanceScale > 100) problems.Add($"guidance must be between 0 and 100, got {GuidanceScale}");
        if (Count < 1 || Count > MaxCount) problems.Add($"count must be between 1 and {MaxCount}, got {Count}");
        if (Width <= 0 || Width % 8 != 0 || Width > MaxSide) problems.Add($"width must be a positive multiple of 8 up to {MaxSide}, got {Width}");
        if (Height <= 0 || Height % 8 != 0 || Height > MaxSide) problems.Add($"height must be a positive multiple of 8 up to {MaxSide}, got {Height}");
        if (!double.IsFinite(Eta) || Eta < 0 || Eta > 1) problems.Add($"eta must be between 0 and 1, got {Eta}");
        if (Controls.Count == 0) problems.Add("at least one ControlNet with a control map is required");
        for (int i = 0; i < Controls.Count; i++)
        {
            var unit = Controls[i];
            var label = $"controlnet {i + 1} ({unit.ControlNet.Name})";
            if (unit.ControlMap.Width != Width || unit.ControlMap.Height != Height)
                problems.Add($"{label}: control map is {unit.ControlMap.Width}x{unit.ControlMap.Height} but the output is {Width}x{Height}; resize the map or change the size");
            if (!double.IsFinite(unit.ConditioningScale) || unit.ConditioningScale < 0 || unit.ConditioningScale > 10)
                problems.Add($"{label}: control scale must be between 0 and 10, got {unit.ConditioningScale}");
            if (!(unit.GuidanceStart >= 0 && unit.GuidanceStart < unit.GuidanceEnd && unit.GuidanceEnd <= 1))
                problems.Add($"{label}: guidance window needs 0 ≤ start < end ≤ 1, got {unit.GuidanceStart}..{unit.GuidanceEnd}");
        }
        return problems;
    }

    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new InvalidInputException("Invalid generation request: " + string.Join("; ", problems) + ".");
    }
}
