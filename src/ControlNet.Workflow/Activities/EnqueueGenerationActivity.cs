using ControlNet.Workflow.Generation;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>Queue mode: hands one image's work to the GPU workers (the orchestration then waits for its outcome event).</summary>
public sealed class EnqueueGenerationActivity(GenerationQueue queue) : TaskActivity<GenerationRequestMessage, bool>
{
    public const string Name = "EnqueueGeneration";

    public override async Task<bool> RunAsync(TaskActivityContext context, GenerationRequestMessage input)
    {
        await queue.SendRequestAsync(input);
        return true;
    }
}
