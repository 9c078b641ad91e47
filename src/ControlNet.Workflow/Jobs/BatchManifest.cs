using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// A batch in batches/&lt;id&gt;.json: either <see cref="Jobs"/> (each a full job) or <see cref="InputPrefix"/> plus
/// <see cref="Defaults"/> (one job per input blob under the prefix, sharing the parameters).
/// </summary>
public sealed record BatchManifest
{
    public int SchemaVersion { get; init; } = JobRequest.CurrentSchemaVersion;

    public List<JobRequest>? Jobs { get; init; }

    public string? InputPrefix { get; init; }

    /// <summary>Shared parameters for prefix batches; its <c>input</c> and <c>jobId</c> are ignored.</summary>
    public JobRequest? Defaults { get; init; }

    public static BatchManifest Parse(string json, string name)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<BatchManifest>(json, JobRequest.JsonOptions);
            var errors = new List<string>();
            if (manifest is null) errors.Add("the document is 'null'; expected a JSON object.");
            else
            {
                if (!JobRequest.SupportedSchemaVersions.Contains(manifest.SchemaVersion))
                    errors.Add($"schemaVersion {manifest.SchemaVersion} is not supported; use {JobRequest.CurrentSchemaVersion} (1 is still read).");
                if ((manifest.Jobs is null) == (manifest.InputPrefix is null))
                    errors.Add("give either 'jobs' (a list of jobs) or 'inputPrefix' (+ 'defaults'), not both and not neither.");
            }
            if (errors.Count > 0) throw new JobValidationException(errors.Select(e => $"batch manifest '{name}': {e}").ToList());
            return manifest!;
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            throw new JobValidationException([$"batch manifest '{name}' is not valid JSON{where}: {e.Message}"]);
        }
    }
}

/// <param name="Cursor">Absent when the batch starts; carried across ContinueAsNew generations afterwards.</param>
public sealed record BatchInput(string BatchId, string Manifest, BatchCursor? Cursor = null);

/// <summary>
/// Where a batch stands between generations of its orchestration: jobs [0, Next) are done. The chunk size is
/// fixed when the batch starts, so a host with other options replays and continues it the same way.
/// </summary>
public sealed record BatchCursor(DateTime StartedUtc, int JobCount, int ChunkSize, int Next, int Completed, int Failed);

public sealed record BatchJobOutcome(string JobId, string Status, string? Manifest, string? Reason);

/// <summary>A finished batch's summary; every job's outcome is in <see cref="ResultBlob"/>.</summary>
public sealed record BatchResult(string BatchId, string Status, int Completed, int Failed, string? Reason, string ResultBlob);

public sealed record ReadBatchJobsInput(string BatchId, int Offset, int Count);

public sealed record WriteBatchOutcomesInput(string BatchId, int Offset, List<BatchJobOutcome> Outcomes);

public sealed record WriteBatchResultInput(string BatchId, string Status, int Completed, int Failed, string? Reason, DateTime StartedUtc);
