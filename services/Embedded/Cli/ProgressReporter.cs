using System.Globalization;

namespace DaprVideo.Embedded.Cli;

/// <summary>
/// Progress on stderr: a redrawn bar on a terminal, or a plain line per step when redirected
/// (logs and CI stay readable).
/// </summary>
public sealed class ProgressReporter(TextWriter writer, bool interactive)
{
    private readonly Lock _gate = new();
    private int _lastPercent = -1;

    public void Report(double? fraction, string detail)
    {
        lock (_gate)
        {
            var percent = fraction is { } f ? (int)Math.Clamp(f * 100, 0, 100) : -1;
            if (interactive)
            {
                var bar = percent < 0 ? new string('?', 30) : new string('#', percent * 30 / 100).PadRight(30, '.');
                writer.Write("\r" + string.Create(CultureInfo.InvariantCulture, $"[{bar}] {(percent < 0 ? "" : percent + "% ")}{detail}").PadRight(78));
            }
            else if (percent != _lastPercent)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"progress: {(percent < 0 ? "" : percent + "% ")}{detail}"));
            }
            _lastPercent = percent;
        }
    }

    public void Finish()
    {
        lock (_gate)
            if (interactive) writer.WriteLine();
    }
}
