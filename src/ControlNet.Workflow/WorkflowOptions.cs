using ControlNet.Core;

namespace ControlNet.Workflow;

/// <summary>Limits and knobs of the durable workflow; bound once at start-up and checked by <see cref="Validate"/>.</summary>
public sealed class WorkflowOptions
{
    /// <summary>What a job may ask for (steps, images, sizes): the one table every way in is checked against.</summary>
    public Jobs.JobLimits Limits { get; set; } = new();

    /// <summary>Control maps kept decoded per process (by blob name and ETag), so a job's images do not decode them again.</summary>
    public int ControlMapCacheSize { get; set; } = 8;

    /// <summary>Generate activities running at once in this process (a GPU runs one at a time).</summary>
    public int GenerationConcurrency { get; set; } = 1;

    /// <summary>
    /// <see cref="GenerationMode.InProcess"/>: images are GenerateImage activities of this host. <see cref="GenerationMode.Queue"/>:
    /// each image is handed to GPU workers on the <c>generate-requests</c> queue and its outcome comes back as an event
    /// (setting <c>Generation__Mode</c>).
    /// </summary>
    public GenerationMode GenerationMode { get; set; } = GenerationMode.InProcess;

    /// <summary>How long a queued image may take, queueing included, before its job fails (setting <c>Generation__Timeout</c>).</summary>
    public TimeSpan GenerationTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Jobs a batch runs at once (sub-orchestrations in flight).</summary>
    public int BatchConcurrency { get; set; } = 4;

    /// <summary>
    /// Jobs per generation of the batch orchestration: after each chunk it records the outcomes in a blob and
    /// continues as new, so its history stays small however large the batch.
    /// </summary>
    public int BatchChunkSize { get; set; } = 50;

    /// <summary>Largest number of jobs one batch manifest may expand to.</summary>
    public int MaxBatchJobs { get; set; } = 1000;

    /// <summary>Attempts per activity for transient faults (1 = no retry); invalid input is never retried.</summary>
    public int MaxAttempts { get; set; } = 4;

    public TimeSpan FirstRetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    public double RetryBackoffCoefficient { get; set; } = 2.0;

    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a start claim (outputs/&lt;id&gt;/submitted.json) holds without its instance appearing before another
    /// submitter may take over, e.g. after the first one crashed between claiming and starting. Starting an
    /// instance takes milliseconds, so a claim this old without its instance belongs to a submitter that died (a
    /// worker's watcher killed mid-submit): short, so the upload's job starts seconds later, not minutes.
    /// </summary>
    public TimeSpan SubmitClaimTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Least time between two denoising-step reports of one image to the job's custom status.</summary>
    public TimeSpan StepProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    public void Validate()
    {
        var errors = new List<string>();
        errors.AddRange(Limits.Problems());
        if (ControlMapCacheSize < 1) errors.Add($"ControlMapCacheSize must be at least 1, got {ControlMapCacheSize}.");
        if (GenerationConcurrency < 1) errors.Add($"GenerationConcurrency must be at least 1, got {GenerationConcurrency}.");
        if (GenerationTimeout <= TimeSpan.Zero) errors.Add($"GenerationTimeout must be positive, got {GenerationTimeout}.");
        if (BatchConcurrency < 1) errors.Add($"BatchConcurrency must be at least 1, got {BatchConcurrency}.");
        if (BatchChunkSize < 1) errors.Add($"BatchChunkSize must be at least 1, got {BatchChunkSize}.");
        if (MaxBatchJobs < 1) errors.Add($"MaxBatchJobs must be at least 1, got {MaxBatchJobs}.");
        if (MaxAttempts < 1) errors.Add($"MaxAttempts must be at least 1, got {MaxAttempts}.");
        if (FirstRetryInterval <= TimeSpan.Zero) errors.Add("FirstRetryInterval must be positive.");
        if (RetryBackoffCoefficient < 1) errors.Add($"RetryBackoffCoefficient must be at least 1, got {RetryBackoffCoefficient}.");
        if (MaxRetryInterval < FirstRetryInterval) errors.Add("MaxRetryInterval must be at least FirstRetryInterval.");
        if (errors.Count > 0)
            throw new InvalidInputException("Invalid workflow options: " + string.Join(" ", errors));
    }
}

/// <summary>Where the GenerateImage work of a job runs.</summary>
public enum GenerationMode
{
    /// <summary>As an activity of the host that runs the orchestration.</summary>
    InProcess,
    /// <summary>On GPU workers behind the <c>generate-requests</c> queue (the production split).</summary>
    Queue,
}
