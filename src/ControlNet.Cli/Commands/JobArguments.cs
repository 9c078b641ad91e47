using ControlNet.Hosting;
using ControlNet.Core;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Cli.Commands;

/// <summary>The job options shared by `run` (and anything else that submits one job), read into the JSON contract.</summary>
internal static class JobArguments
{
    public const string Help = """
          --job FILE              a job document (JSON, the contract in ControlNet.Workflow.Jobs.JobRequest); flags below override it
          --control NAME          control map extractor (canny, scribble, …, none = input is a control map)
          --control-param K=V     extractor parameter (repeatable)
          --resolution N          short side of the control map (default 512)
          --prompt TEXT / --negative-prompt TEXT / --prompt-mode user|none|default
          --steps N --guidance S --control-scale S --control-mode balanced|prompt|control|unbalanced
          --guidance-start F --guidance-end F --seed N --count N --width W --height H
          --model NAME --controlnet NAME (repeatable)
        """;

    public static JobRequest Read(CommandLineArguments args, string input)
    {
        var job = args.Optional("job") is { } file
            ? JobRequest.Parse(File.Exists(file) ? File.ReadAllText(file) : throw new InvalidInputException($"Job file '{file}' does not exist."))
            : new JobRequest();
        var parameters = new Dictionary<string, string>(job.ControlParameters, StringComparer.Ordinal);
        foreach (var pair in args.All("control-param"))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new InvalidInputException($"--control-param '{pair}' must look like name=value.");
            parameters[pair[..eq]] = pair[(eq + 1)..];
        }
        var controlNets = args.All("controlnet");
        return job with
        {
            Input = input,
            JobId = args.Optional("job-id") ?? job.JobId,
            Control = args.Optional("control") ?? job.Control,
            ControlParameters = parameters,
            Resolution = args.Int("resolution", job.Resolution),
            PromptMode = args.Optional("prompt-mode") ?? job.PromptMode,
            Prompt = args.Optional("prompt") ?? job.Prompt,
            NegativePrompt = args.Optional("negative-prompt") ?? job.NegativePrompt,
            Steps = args.Int("steps", job.Steps),
            GuidanceScale = args.Double("guidance", job.GuidanceScale),
            ControlScale = args.Double("control-scale", job.ControlScale),
            ControlMode = args.Optional("control-mode") ?? job.ControlMode,
            GuidanceStart = args.Double("guidance-start", job.GuidanceStart),
            GuidanceEnd = args.Double("guidance-end", job.GuidanceEnd),
            Seed = args.OptionalLong("seed") ?? job.Seed,
            Count = args.Int("count", job.Count),
            Width = args.OptionalInt("width") ?? job.Width,
            Height = args.OptionalInt("height") ?? job.Height,
            Model = args.Optional("model") ?? job.Model,
            ControlNets = controlNets.Count > 0 ? controlNets.ToList() : job.ControlNets,
        };
    }

    /// <summary>
    /// `--queue-poll-ms N`: the longest an idle Azure Storage worker waits between queue polls (default 1000).
    /// Lower means less latency per orchestration hop and more storage transactions.
    /// </summary>
    public static TimeSpan QueuePolling(CommandLineArguments args) =>
        TimeSpan.FromMilliseconds(args.Int("queue-poll-ms", 1000, 10, 60_000));

    public static DurableBackend Backend(CommandLineArguments args) => args.Optional("durable") switch
    {
        null or "memory" => DurableBackend.Memory,
        "azure-storage" => DurableBackend.AzureStorage,
        var other => throw new InvalidInputException($"--durable must be 'memory' or 'azure-storage', got '{other}'."),
    };
}
