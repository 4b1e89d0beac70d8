using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// Distributed Ingest's admission: every Inference replica stores its <see cref="AnalysisLoad"/> under
/// <see cref="ObjectKeys.LoadPrefix"/> every few seconds; a new stream is refused when every replica heard from in the
/// last <see cref="Freshness"/> says it is overloaded (one replica with room takes more chunks from the shared consumer
/// group), and paced (<see cref="AdmissionPacing"/>) while no replica is normal (refused while the roomiest is at its
/// floor). No record, only stale ones, or a store that cannot be read: admitted, because a missing signal must not
/// stop cameras. Reads at most once per <see cref="CacheFor"/>.
/// </summary>
public sealed class StoredAdmissionSignal(IObjectStore store, TimeProvider? timeProvider = null) : IAdmissionSignal
{
    /// <summary>Records older than this are from replicas that are gone (or stuck) and do not count.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(15);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly AdmissionPacing _pacing = new();
    private Reading? _cached;

    public async ValueTask<AdmissionRefusal?> CheckAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        // Two callers at once may both read the store; either reading is as good.
        var loads = Volatile.Read(ref _cached) is { } c && now - c.At < CacheFor && now >= c.At ? c.Loads : null;
        if (loads is null)
        {
            loads = await ReadAsync(cancellationToken);
            Volatile.Write(ref _cached, new Reading(now, loads));
        }
        if (Judge(loads, now) is { } refusal) return refusal;
        // No replica at its full rate: pace new streams, so each one's load reaches the records before the next is judged.
        var fresh = Fresh(loads, now);
        var roomiest = fresh.MaxBy(l => l.RateFps - l.FloorFps);
        return _pacing.Admit(fresh.Count > 0 && fresh.All(l => l.State != AnalysisLoad.Normal),
            roomiest?.RateFps ?? 0, roomiest?.FloorFps ?? 0, RetryAfter, now);
    }

    private sealed record Reading(DateTimeOffset At, IReadOnlyList<AnalysisLoad> Loads);

    /// <summary>The refusal the fresh records call for, or null.</summary>
    public static AdmissionRefusal? Judge(IReadOnlyList<AnalysisLoad> loads, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(loads);
        var fresh = Fresh(loads, now);
        return fresh.Count > 0 && fresh.All(l => l.Overloaded)
            ? new AdmissionRefusal(AnalysisLoad.RefusalMessage(fresh.Max(l => l.FloorFps)), RetryAfter)
            : null;
    }

    private static List<AnalysisLoad> Fresh(IReadOnlyList<AnalysisLoad> loads, DateTimeOffset now) =>
        loads.Where(l => (now - l.UpdatedAt).Duration() <= Freshness).ToList();

    private async Task<IReadOnlyList<AnalysisLoad>> ReadAsync(CancellationToken cancellationToken)
    {
        var loads = new List<AnalysisLoad>();
        try
        {
            foreach (var key in await store.ListAsync(ObjectKeys.LoadPrefix, cancellationToken))
            {
                if (!key.EndsWith(".json", StringComparison.Ordinal)) continue;
                try
                {
                    if (await store.GetAsync(key, cancellationToken) is { } json) loads.Add(AnalysisLoad.Parse(json));
                }
                catch (InvalidDataException)
                {
                    // A torn or foreign object under load/ is no signal.
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            return [];
        }
        return loads;
    }
}
