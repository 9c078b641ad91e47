using System.Collections.Concurrent;
using ControlNet.Core;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// Tells input errors (never retried) from possibly transient faults (retried with backoff) once an activity's
/// exception has crossed the durable boundary and only its type name is left.
/// </summary>
public static class FailureClassifier
{
    private static readonly ConcurrentDictionary<string, bool> InputErrorByTypeName = new(StringComparer.Ordinal);

    public static bool IsInvalidInput(TaskFailureDetails? failure)
    {
        for (var f = failure; f is not null; f = f.InnerFailure)
        {
            if (f.IsCausedBy<InvalidInputException>() || IsInvalidInputTypeName(f.ErrorType)) return true;
        }
        return false;
    }

    /// <summary>The message of the innermost failure: the one that names what was wrong.</summary>
    public static string Reason(TaskFailureDetails failure)
    {
        var f = failure;
        while (f.InnerFailure is not null) f = f.InnerFailure;
        return f.ErrorMessage;
    }

    private static bool IsInvalidInputTypeName(string typeName) =>
        InputErrorByTypeName.GetOrAdd(typeName, static name =>
        {
            // The type may live in any loaded assembly (Core, Workflow, the host); subclasses count.
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                var type = assembly.GetType(name, throwOnError: false);
                if (type is not null) return typeof(InvalidInputException).IsAssignableFrom(type);
            }
            return false;
        });
}
