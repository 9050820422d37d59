using System.Diagnostics;
using EdgeLlm.Models;

namespace EdgeLlm.Commands;

/// <summary>
/// Shows a pull's progress: on a terminal one line rewritten in place (bytes, rate, time left); elsewhere (a journal, a
/// pipe) one line per 10%, so a log does not fill with carriage returns.
/// </summary>
internal sealed class PullProgressPrinter(TextWriter output, bool terminal)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _startBytes = -1;
    private int _lastDecile = -1;
    private bool _lineOpen;

    public void Report(PullProgress p)
    {
        if (p.Status != PullProgress.Downloading)
        {
            EndLine();
            output.WriteLine(p.Status);
            return;
        }
        if (_startBytes < 0)
        {
            _startBytes = p.Completed; // a resume starts here: the rate counts this run's bytes only
            _clock.Restart();
        }
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        double rate = (p.Completed - _startBytes) / seconds;
        string line = p.Total is long total && total > 0
            ? $"downloading {Mib(p.Completed)} of {Mib(total)} MiB ({100.0 * p.Completed / total:F0}%), {rate / 1048576:F1} MiB/s, {Eta(total - p.Completed, rate)} left"
            : $"downloading {Mib(p.Completed)} MiB, {rate / 1048576:F1} MiB/s";
        if (terminal)
        {
            output.Write("\r" + line.PadRight(100));
            _lineOpen = true;
            return;
        }
        int decile = p.Total is long t && t > 0 ? (int)(10 * p.Completed / t) : -1;
        if (decile > _lastDecile)
        {
            _lastDecile = decile;
            output.WriteLine(line);
        }
    }

    /// <summary>Ends the in-place line (before any other output, and after the last report).</summary>
    public void EndLine()
    {
        if (!_lineOpen) return;
        output.WriteLine();
        _lineOpen = false;
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);

    private static string Eta(long left, double rate)
    {
        if (rate <= 0) return "unknown time";
        var t = TimeSpan.FromSeconds(Math.Min(left / rate, 359_999));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes}:{t.Seconds:00}";
    }
}
