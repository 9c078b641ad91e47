using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>
/// The context an activity class gets when something other than the Durable Task worker calls it (a Functions
/// activity shim, a GPU queue worker). The workflow's activities read nothing from it but these two values.
/// </summary>
public sealed class DetachedActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name => name;
    public override string InstanceId => instanceId;
}
