namespace ControlNet.Workflow.Tests;

public sealed class WorkflowOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        new WorkflowOptions().Validate();
    }

    [Fact]
    public void Every_bad_setting_is_named_at_once()
    {
        var options = new WorkflowOptions { BatchChunkSize = 0, GenerationConcurrency = 0, MaxAttempts = 0 };
        var error = Assert.Throws<ControlNet.Core.InvalidInputException>(options.Validate);
        Assert.Contains("BatchChunkSize must be at least 1, got 0", error.Message);
        Assert.Contains("GenerationConcurrency must be at least 1", error.Message);
        Assert.Contains("MaxAttempts must be at least 1", error.Message);
    }
}
