using System.Diagnostics;

namespace ControlNet.Cli;

/// <summary>
/// Progress of one stage on stderr. On a terminal: one line redrawn in place with 1-based counts, the rate and an
/// ETA. Piped (logs, CI): one line when the stage starts and one when it ends, never a line per step.
/// </summary>
internal sealed class ProgressReporter : IDisposable
{
    private readonly TextWriter _writer;
    private readonly string _stage;
    private readonly int _total;
    private readonly string _unit;
    private readonly bool _interactive;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private bool _drawn;
    private bool _finished;

    public ProgressReporter(TextWriter writer, string stage, int total, string unit, bool? interactive = null)
    {
        _writer = writer;
        _stage = stage;
        _total = total;
        _unit = unit;
        _interactive = interactive ?? !Console.IsErrorRedirected;
        if (!_interactive) _writer.WriteLine($"{stage}: {total} {unit}");
    }

    /// <param name="done">How many are complete (1…total).</param>
    public void Report(int done)
    {
        if (!_interactive || _total <= 0) return;
        _writer.Write($"\r\u001b[2K{Line(_stage, done, _total, _unit, _watch.Elapsed)}");
        _drawn = true;
    }

    /// <summary>"generating [#####.....] 7/20 steps, 0.21 s/step, ETA 3 s".</summary>
    public static string Line(string stage, int done, int total, string unit, TimeSpan elapsed)
    {
        const int width = 20;
        int filled = (int)((long)width * Math.Clamp(done, 0, total) / Math.Max(total, 1));
        var perItem = done > 0 ? elapsed.TotalSeconds / done : 0;
        var eta = done > 0 ? $", ETA {Duration(perItem * (total - done))}" : "";
        return $"{stage} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {unit}, {perItem:0.00} s/{unit.TrimEnd('s')}{eta}";
    }

    public static string Duration(double seconds) =>
        seconds >= 90 ? $"{seconds / 60:0} min" : $"{seconds:0} s";

    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        if (_drawn) _writer.WriteLine();
        if (!_interactive) _writer.WriteLine($"{_stage}: done in {Duration(_watch.Elapsed.TotalSeconds)}");
    }

    public void Dispose()
    {
        if (_drawn && !_finished) _writer.WriteLine();
        _finished = true;
    }
}
