using ControlNet.Workflow.Jobs;

namespace ControlNet.Workflow.Tests;

/// <summary>Schema version 2 reads version-1 documents; shorthand and units never mix.</summary>
public sealed class ContractVersionTests
{
    [Fact]
    public void Version_1_document_reads_as_one_unit_per_named_controlnet_sharing_its_map()
    {
        var job = JobRequest.Parse("""
            { "schemaVersion": 1, "input": "a.png", "control": "scribble", "controlParameters": { "threshold": "100" },
              "controlNets": ["scribble", "tile"], "controlScale": 0.7, "controlMode": "prompt" }
            """);
        var validated = JobValidator.Validate(job, new JobLimits());

        Assert.Equal(["scribble", "tile"], validated.Units.Select(u => u.Model));
        Assert.All(validated.Units, u => Assert.Equal(("scribble", "a.png", 0.7, "100"), (u.Extractor, u.Input, u.Scale, u.Parameters["threshold"])));
        Assert.All(validated.Units, u => Assert.Equal(Core.Diffusion.ControlMode.Prompt, u.Mode));
        var normalized = validated.Normalized;
        Assert.Equal(2, normalized.SchemaVersion);
        Assert.Null(normalized.Control);
        Assert.Equal(2, normalized.Controls!.Count);
    }

    [Fact]
    public void Controls_and_shorthand_fields_together_are_rejected()
    {
        var job = new JobRequest { Input = "a.png", Control = "canny", Controls = [new ControlUnitRequest()] };
        var e = Assert.Throws<JobValidationException>(() => JobValidator.Validate(job, new JobLimits()));
        Assert.Contains("give either 'controls'", Assert.Single(e.Errors));
    }

    [Fact]
    public void Unit_errors_name_the_unit()
    {
        var job = new JobRequest
        {
            Input = "a.png",
            Controls = [new ControlUnitRequest(), new ControlUnitRequest { Extractor = "blur", Scale = 9, Mode = "loud", Input = "../x.png" }],
        };
        var e = Assert.Throws<JobValidationException>(() => JobValidator.Validate(job, new JobLimits()));
        Assert.Contains(e.Errors, m => m.StartsWith("controls[1].extractor: Unknown control type 'blur'"));
        Assert.Contains(e.Errors, m => m.StartsWith("controls[1].scale must be between 0 and 5"));
        Assert.Contains(e.Errors, m => m.StartsWith("controls[1].mode: Unknown control mode 'loud'"));
        Assert.Contains(e.Errors, m => m.Contains("controls[1].input"));
    }

    [Fact]
    public void Seed_minus_one_means_random()
    {
        var validated = JobValidator.Validate(new JobRequest { Input = "a.png", Seed = -1 }, new JobLimits());
        Assert.Null(validated.Seed);
        Assert.Throws<JobValidationException>(() => JobValidator.Validate(new JobRequest { Input = "a.png", Seed = -2 }, new JobLimits()));
    }

    [Fact]
    public void Non_finite_metadata_numbers_are_rejected_when_read()
    {
        var blob = new Storage.StoredBlob("a.png", "\"0x1\"", "image/png", new Dictionary<string, string> { ["guidanceScale"] = "NaN" });
        var e = Assert.Throws<JobValidationException>(() => BlobJobParameters.FromMetadata(blob));
        Assert.Contains("guidanceScale", Assert.Single(e.Errors));
    }
}
