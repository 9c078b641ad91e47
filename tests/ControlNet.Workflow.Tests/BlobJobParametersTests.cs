using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;

namespace ControlNet.Workflow.Tests;

public sealed class BlobJobParametersTests
{
    private static StoredBlob Blob(Dictionary<string, string> metadata) =>
        new("uploads/cat.png", "\"0x8DC1\"", "image/png", new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase));

    [Fact]
    public void Metadata_sets_the_job_parameters_including_the_extractors()
    {
        var job = BlobJobParameters.FromMetadata(Blob(new()
        {
            ["prompt"] = "a cat", ["steps"] = "12", ["guidanceScale"] = "7.5", ["seed"] = "99",
            ["control"] = "canny", ["control_low"] = "50", ["Control_High"] = "150", ["controlNets"] = "canny, tile",
            ["rng"] = "nv",
        }));

        Assert.Equal(("a cat", 12, 7.5, 99L, "nv"), (job.Prompt, job.Steps, job.GuidanceScale, job.Seed!.Value, job.Rng));
        Assert.Equal(new Dictionary<string, string> { ["low"] = "50", ["high"] = "150" }, job.ControlParameters);
        Assert.Equal(["canny", "tile"], job.ControlNets);
        Assert.Equal(("uploads/cat.png", "\"0x8DC1\""), (job.Input, job.InputETag));
        Assert.Equal(BlobNames.JobIdForBlob("uploads/cat.png", "\"0x8DC1\""), job.JobId);
    }

    [Fact]
    public void Bad_metadata_values_are_all_reported()
    {
        var error = Assert.Throws<JobValidationException>(() => BlobJobParameters.FromMetadata(Blob(new() { ["steps"] = "many", ["seed"] = "x" })));
        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("'steps' must be an integer"));
        Assert.Contains(error.Errors, e => e.Contains("'seed' must be an integer"));
    }
}
