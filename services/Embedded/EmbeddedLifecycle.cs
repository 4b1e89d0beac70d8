using DaprVideo.Inference;
using DaprVideo.Ingest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Embedded;

/// <summary>
/// The embedded <c>serve</c>'s start and stop, in one place so the order is explicit.
/// Start: the chunks an earlier run left unannotated (journal) are published again.
/// Stop (SIGTERM, Ctrl+C), while Kestrel still serves (the control API answers 503): 1. Ingest stops capturing and
/// leaves its streams active (no ENDLIST: a restart resumes them); 2. Inference and Playlist finish what was already
/// published, the chunk in flight included, within the drain budget (SHUTDOWN_TIMEOUT less a quarter, at most 5 s);
/// what is left stays in the journal for the next start.
/// </summary>
public sealed partial class EmbeddedLifecycle(EmbeddedPipeline pipeline, StreamCaptures captures, TimeSpan shutdownTimeout, ILogger<EmbeddedLifecycle> logger)
    : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var replayed = await pipeline.ReplayJournalAsync(cancellationToken);
        if (replayed > 0) LogReplayed(logger, replayed);
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(InferenceSettings.DrainWithin(shutdownTimeout));
        try
        {
            await captures.StopAllAsync(drain.Token);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            // Out of time already; the pipeline is stopped below regardless.
        }
        var idle = await pipeline.DrainAsync(drain.Token);
        if (idle) LogDrained(logger, (DateTimeOffset.UtcNow - started).TotalSeconds);
        else LogNotDrained(logger, pipeline.Bus.Pending);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Annotating {Count} chunk(s) left by the last run")]
    private static partial void LogReplayed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped capturing and finished the work in flight in {Seconds:F1} s")]
    private static partial void LogDrained(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stop: {Pending} event(s) not handled in time; their chunks are annotated at the next start")]
    private static partial void LogNotDrained(ILogger logger, long pending);
}
