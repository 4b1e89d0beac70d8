using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// The Inference side of events: gives each chunk its <see cref="ChunkTracking"/> (continuing the stream's tracking
/// through <see cref="TrackingHandoff"/>), then stores what the chunk changed — snapshots first, then the event records,
/// then the tracking for the next chunk — and publishes each change on <see cref="Topics.Events"/>. When a stream ends,
/// the events still open are ended at their object's last sighting.
/// </summary>
public sealed class EventRecorder(IObjectStore store, IEventPublisher events, ISnapshotEncoder snapshots, TrackingHandoff handoff,
    TrackerOptions options, TimeProvider time)
{
    /// <summary>Tracks created in one chunk never reach this many, so ids of a restart after a lost hand-off stay unique.</summary>
    public const long IdsPerChunk = 1000;

    public ChunkTracking Begin(ChunkCaptured chunk, CancellationToken cancellationToken)
    {
        var id = StreamId.Parse(chunk.StreamId);
        handoff.Begin(id, chunk.Sequence);
        var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var previous = handoff.PreviousAsync(id, chunk.Sequence, waiting.Token);
        // A wait the chunk never needed (it failed first) is cancelled with it; nobody observes its outcome.
        _ = previous.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return new ChunkTracking(previous, p => Start(id, chunk, p), waiting);
    }

    /// <summary>Stores and publishes the chunk's tracking; hands it to the next chunk (also when there is nothing to store: null).</summary>
    public async Task CompleteAsync(ChunkCaptured chunk, ChunkTrackingResult? result, CancellationToken cancellationToken)
    {
        var id = StreamId.Parse(chunk.StreamId);
        if (result is null)
        {
            handoff.Complete(id, chunk.Sequence, null);
            return;
        }
        var next = new StreamTracking(id.Value, chunk.Sequence, result.Tracker, result.Open);
        // The next chunk of this process may go on at once; others read the stored copy below.
        handoff.Complete(id, chunk.Sequence, next);
        await StoreAsync(id, result, cancellationToken);
        await store.PutAsync(ObjectKeys.Tracking(id, chunk.Sequence), next.ToJsonBytes(), cancellationToken);
        await PublishAsync(id, result.Changes, cancellationToken);
    }

    /// <summary>A chunk failed: its successor stops waiting for it here (and looks in the store, then starts afresh).</summary>
    public void Abandon(ChunkCaptured chunk) => handoff.Complete(StreamId.Parse(chunk.StreamId), chunk.Sequence, null);

    /// <summary>The stream ended after <see cref="StreamEnded.LastSequence"/>: its open events end where their objects were last seen.</summary>
    public async Task EndStreamAsync(StreamEnded ended, CancellationToken cancellationToken)
    {
        var id = StreamId.Parse(ended.StreamId);
        if (ended.LastSequence < 0) return;
        if (await handoff.PreviousAsync(id, ended.LastSequence + 1, cancellationToken) is not { Open.Count: > 0 } last) return;
        var log = new TrackEventLog(id, ended.LastSequence, default, 0, null, last.Open, time.GetUtcNow());
        log.CloseAll();
        var changes = log.Changes();
        foreach (var (e, _) in changes) await store.PutAsync(ObjectKeys.Event(id, e.TrackId), e.ToJsonBytes(), cancellationToken);
        await store.PutAsync(ObjectKeys.Tracking(id, ended.LastSequence), (last with { Open = [] }).ToJsonBytes(), cancellationToken);
        await PublishAsync(id, changes, cancellationToken);
    }

    private (ObjectTracker, TrackEventLog) Start(StreamId id, ChunkCaptured chunk, StreamTracking? previous)
    {
        var now = time.GetUtcNow();
        if (previous is null)
        {
            // The first chunk, or a predecessor lost for good: new ids where no earlier chunk can have used them.
            var tracker = new ObjectTracker(options, null, chunk.Sequence == 0 ? 1 : chunk.Sequence * IdsPerChunk + 1);
            return (tracker, new TrackEventLog(id, chunk.Sequence, chunk.Start, chunk.OffsetSeconds, chunk.Zones, [], now));
        }
        if (!chunk.Discontinuity)
            return (new ObjectTracker(options, previous.Tracker),
                new TrackEventLog(id, chunk.Sequence, chunk.Start, chunk.OffsetSeconds, chunk.Zones, previous.Open, now));

        // After a gap nothing is where it was: open events end at their last sighting, tracking starts over (ids go on).
        var log = new TrackEventLog(id, chunk.Sequence, chunk.Start, chunk.OffsetSeconds, chunk.Zones, previous.Open, now);
        log.CloseAll();
        return (new ObjectTracker(options, null, previous.Tracker.NextId), log);
    }

    private async Task StoreAsync(StreamId id, ChunkTrackingResult result, CancellationToken cancellationToken)
    {
        // Pictures before records: a record never names a snapshot that is not there yet.
        foreach (var (trackId, frame, box) in result.Snapshots)
        {
            var pictures = snapshots.Encode(frame, box);
            await store.PutAsync(ObjectKeys.EventSnapshot(id, trackId), pictures.Frame, cancellationToken);
            await store.PutAsync(ObjectKeys.EventCrop(id, trackId), pictures.Crop, cancellationToken);
        }
        foreach (var e in result.Changes.Select(c => c.Event).DistinctBy(e => e.TrackId))
            await store.PutAsync(ObjectKeys.Event(id, e.TrackId), e.ToJsonBytes(), cancellationToken);
    }

    private async Task PublishAsync(StreamId id, IReadOnlyList<(TrackEvent Event, string Change)> changes, CancellationToken cancellationToken)
    {
        foreach (var (e, change) in changes)
        {
            await events.PublishAsync(Topics.Events, new TrackEventChanged(id.Value, e.Id, change, e.Label, e.Start, e.End, e.StartSeconds,
                e.EndSeconds, e.MaxScore, e.Zones, ObjectKeys.Event(id, e.TrackId), e.SnapshotKey, e.CropKey), cancellationToken);
        }
    }
}
