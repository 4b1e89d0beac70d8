using System.Collections.Concurrent;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Streams;

namespace DaprVideo.Playlist;

/// <summary>
/// Why several Playlist replicas give the same answers. A replica answers from its own state, and that state
/// is a pure function of the set of segment records and end markers it has applied (every input is
/// idempotent and order-independent: <see cref="PlaylistBuilder"/>). Replicas of one Dapr app share a
/// consumer group, so each gets only some of the events; before answering for a stream, a replica therefore
/// catches that stream up with the object store (where Inference stores each record before announcing it),
/// at most once per <see cref="Interval"/>. Two replicas thus serve byte-identical playlists once both have
/// synced after the same records were stored, whichever events each was handed and in whichever order.
/// </summary>
public sealed class PlaylistFreshness(PlaylistBuilder playlists, TimeSpan interval, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<StreamId, Sync> _syncs = new();

    public TimeSpan Interval { get; } = interval;

    /// <summary>Syncs the stream from the store unless that happened within <see cref="Interval"/>; concurrent callers share one sync.
    /// Returns false when the store holds nothing of the stream.</summary>
    public async Task<bool> EnsureFreshAsync(StreamId id, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var sync = _syncs.AddOrUpdate(id,
            _ => new Sync(now, playlists.SyncAsync(id, CancellationToken.None)),
            (_, old) => old.Task.IsCompleted && (now - old.At >= Interval || old.Task.IsFaulted || !old.Task.Result)
                ? new Sync(now, playlists.SyncAsync(id, CancellationToken.None))
                : old);
        return await sync.Task.WaitAsync(cancellationToken);
    }

    private sealed record Sync(DateTimeOffset At, Task<bool> Task);
}
