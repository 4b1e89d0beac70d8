using System.Globalization;
using System.Text;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.ServiceDefaults;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Inference;

/// <summary>
/// Tells the world how loaded this replica's analysis is: logs each change of state (normal, degraded, overloaded)
/// and, when it has a store (distributed Inference), writes the <see cref="AnalysisLoad"/> to
/// <see cref="ObjectKeys.InferenceLoad"/> every <see cref="Interval"/> and at once on a change of state, so Ingest's
/// <see cref="StoredAdmissionSignal"/> can refuse new streams. The record is deleted at a graceful stop; a crashed
/// replica's record goes stale and stops counting after <see cref="StoredAdmissionSignal.Freshness"/>.
/// </summary>
/// <remarks>
/// Why a record in the object store and not a topic: Ingest reads the store already and needs only "is every replica
/// at its floor?" when a stream is added; a record per replica answers that with one listing, needs no new topic,
/// subscription or scope, and a replica that dies simply stops refreshing its record.
/// </remarks>
public sealed partial class AnalysisLoadReporter(AnalysisRateController controller, IObjectStore? store, ILogger<AnalysisLoadReporter> logger,
    TimeProvider? timeProvider = null) : BackgroundLoop
{
    /// <summary>How often the load is looked at; the record is rewritten at least this often (well inside its freshness).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>This process's name in load records: host name and process id (two replicas may share a host).</summary>
    public static string ReplicaName()
    {
        var host = new StringBuilder();
        foreach (var c in Environment.MachineName.ToLowerInvariant())
            host.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        var name = host.Length == 0 ? "host" : host.ToString(0, Math.Min(host.Length, 80));
        return string.Create(CultureInfo.InvariantCulture, $"{name}-{Environment.ProcessId}");
    }

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var key = ObjectKeys.InferenceLoad(controller.Replica);
        string? lastState = null;
        var lastWrite = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(Tick, _time);
        try
        {
            do
            {
                var load = controller.Load();
                if (load.State != lastState)
                {
                    LogState(load);
                    lastState = load.State;
                    lastWrite = DateTimeOffset.MinValue; // a change goes out at once
                }
                if (store is not null && load.UpdatedAt - lastWrite >= Interval)
                {
                    try
                    {
                        await store.PutAsync(key, load.ToJsonBytes(), stoppingToken);
                        lastWrite = load.UpdatedAt;
                    }
                    catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
                    {
                        LogWriteFailed(logger, key, e.Message);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (store is null) return;
        try
        {
            await store.DeleteAsync(ObjectKeys.InferenceLoad(controller.Replica), cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            // It goes stale on its own.
        }
    }

    private void LogState(AnalysisLoad load)
    {
        switch (load.State)
        {
            case AnalysisLoad.OverloadedState:
                LogOverloaded(logger, load.FloorFps, load.LagSeconds);
                break;
            case AnalysisLoad.Degraded:
                LogDegraded(logger, load.RateFps, load.DetectFps, load.LagSeconds);
                break;
            default:
                LogNormal(logger, load.DetectFps);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Analysis at {DetectFps} fps (DETECT_FPS): keeping up")]
    private static partial void LogNormal(ILogger logger, double detectFps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analysis degraded to {Rate} of {DetectFps} fps to keep video real time (lag {Lag} s)")]
    private static partial void LogDegraded(ILogger logger, double rate, double detectFps, double lag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analysis overloaded: at its floor of {Floor} fps and still {Lag} s behind; new streams are refused")]
    private static partial void LogOverloaded(ILogger logger, double floor, double lag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Load record {Key} not written: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, string key, string error);
}
