namespace DaprVideo.Media.Capture;

/// <summary>
/// Cancels one capture attempt when it yields no chunk in time: a source that keeps its connection alive with a
/// trickle of bytes defeats ffmpeg's socket timeout but must still count as dropped. Paused while the consumer holds
/// a chunk, so a slow consumer is not taken for a stalled source. Runs on the capture's clock.
/// </summary>
internal sealed class StallWatchdog : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly ITimer? _timer;
    private volatile bool _fired;

    /// <param name="deadline">Null: never fires.</param>
    public StallWatchdog(TimeSpan? deadline, TimeProvider time, CancellationToken outer)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(outer);
        if (deadline is not { } d) return;
        _timer = time.CreateTimer(_ =>
        {
            _fired = true;
            _cancel.Cancel();
        }, null, d, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token => _cancel.Token;

    public bool HasFired => _fired;

    public void Pause() => _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>A new deadline, counted from now.</summary>
    public void Restart(TimeSpan deadline) => _timer?.Change(deadline, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _timer?.Dispose();
        _cancel.Dispose();
    }
}
