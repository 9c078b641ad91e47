using Microsoft.Extensions.Logging;

namespace ControlNet.Cli;

/// <summary>
/// The CLI's logger: single lines on stderr (stdout stays for results). This program's categories at the chosen
/// level; the hosting libraries (Kestrel, gRPC, DTFx) are chatty, so only their warnings and errors unless asked.
/// </summary>
internal static class ConsoleLogging
{
    public static ILoggerFactory Create(LogLevel level) => LoggerFactory.Create(logging => logging
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .SetMinimumLevel(level)
        .AddFilter("Microsoft", Quieter(level))
        .AddFilter("DurableTask", Quieter(level))
        .AddFilter("Grpc", Quieter(level)));

    private static LogLevel Quieter(LogLevel level) => (LogLevel)Math.Max((int)level, (int)LogLevel.Warning);

    public static LogLevel ParseLevel(string text) => text.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "information" or "info" => LogLevel.Information,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => throw new Core.InvalidInputException($"--log-level must be trace, debug, information, warning or error, got '{text}'."),
    };
}
