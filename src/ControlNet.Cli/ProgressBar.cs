namespace ControlNet.Cli;

/// <summary>A one-line progress bar on a terminal; silent when stderr is redirected (logs, CI).</summary>
internal sealed class ProgressBar : IDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _enabled;
    private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
    private bool _drawn;

    public ProgressBar(TextWriter writer)
    {
        _writer = writer;
        _enabled = !Console.IsErrorRedirected;
    }

    public void Report(int done, int total)
    {
        if (!_enabled || total <= 0) return;
        const int width = 30;
        int filled = (int)((long)width * done / total);
        var rate = done > 0 ? _watch.Elapsed.TotalSeconds / done : 0;
        _writer.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} steps, {rate:0.00} s/step ");
        _drawn = true;
    }

    public void Finish()
    {
        if (_drawn) _writer.WriteLine();
        _drawn = false;
    }

    public void Dispose() => Finish();
}
