using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// Tracking while one chunk is annotated: the first frame waits for the stream's tracking so far (the previous chunk's
/// hand-off), each analysed frame goes through the tracker and the event log, and the frames in between get the
/// tracker's predicted boxes. Where an event's score peaks, the frame is copied (before boxes are drawn on it) for its
/// snapshot. Used by one chunk's frame loop only: not thread-safe.
/// </summary>
public sealed class ChunkTracking : IDisposable
{
    private readonly Task<StreamTracking?> _previous;
    private readonly CancellationTokenSource? _waiting;
    private readonly Func<StreamTracking?, (ObjectTracker Tracker, TrackEventLog Log)> _start;
    private ObjectTracker? _tracker;
    private TrackEventLog? _log;
    private readonly Dictionary<long, BestFrame> _best = [];

    /// <param name="previous">The stream's tracking after the previous chunk (null: start afresh).</param>
    /// <param name="start">Makes this chunk's tracker and event log from it.</param>
    /// <param name="waiting">Cancels the wait for <paramref name="previous"/>; cancelled on dispose, so a chunk that failed stops polling for it.</param>
    public ChunkTracking(Task<StreamTracking?> previous, Func<StreamTracking?, (ObjectTracker, TrackEventLog)> start, CancellationTokenSource? waiting = null)
    {
        _previous = previous;
        _start = start;
        _waiting = waiting;
    }

    /// <summary>What to draw on an analysed frame at stream time <paramref name="t"/>: its detections, tracked ones with their id.</summary>
    public async ValueTask<IReadOnlyList<Detection>> AnalysedAsync(double t, IReadOnlyList<Detection> detections, ImageFrame frame, CancellationToken cancellationToken)
    {
        var (tracker, log) = await StartedAsync(cancellationToken);
        var step = tracker.Update(t, detections);
        foreach (var (id, box) in log.Observe(t, step))
        {
            if (!_best.TryGetValue(id, out var best)) _best[id] = best = new BestFrame();
            best.Keep(frame, box);
        }
        return step.Detections;
    }

    /// <summary>What to draw on a frame between analyses: tracked objects where their motion puts them at <paramref name="t"/>.</summary>
    public async ValueTask<IReadOnlyList<Detection>> BetweenAsync(double t, CancellationToken cancellationToken)
    {
        var (tracker, _) = await StartedAsync(cancellationToken);
        return tracker.Predict(t);
    }

    /// <summary>
    /// The chunk is through: what to store and publish. <paramref name="closeAll"/> ends every open event (the stream's
    /// last chunk). Null when no frame of the chunk was tracked (no hand-off was even awaited).
    /// </summary>
    public ChunkTrackingResult? Complete(bool closeAll = false)
    {
        if (_tracker is null || _log is null) return null;
        if (closeAll) _log.CloseAll();
        var snapshots = _best.Select(b => (b.Key, b.Value.Frame, b.Value.Box)).ToList();
        return new ChunkTrackingResult(_tracker.State, _log.Open, _log.Changes(), snapshots);
    }

    public void Dispose()
    {
        foreach (var best in _best.Values) best.Dispose();
        _best.Clear();
        if (_waiting is null) return;
        _waiting.Cancel();
        _waiting.Dispose();
    }

    private async ValueTask<(ObjectTracker, TrackEventLog)> StartedAsync(CancellationToken cancellationToken)
    {
        if (_tracker is null || _log is null)
        {
            var previous = await _previous.WaitAsync(cancellationToken);
            (_tracker, _log) = _start(previous);
        }
        return (_tracker, _log);
    }

    /// <summary>
    /// A private copy of the frame where a track scored best in this chunk (the decoder's buffer goes back to its pool),
    /// in a <see cref="FramePool"/> buffer (a frame is a large-object-heap array, one per track and chunk), returned when
    /// the chunk is disposed.
    /// </summary>
    private sealed class BestFrame : IDisposable
    {
        private byte[] _pixels = [];
        public ImageFrame Frame { get; private set; }
        public Vision.BoundingBox Box { get; private set; }

        public void Keep(ImageFrame frame, Vision.BoundingBox box)
        {
            var source = frame.Pixels.Span;
            if (_pixels.Length != source.Length)
            {
                Dispose();
                _pixels = FramePool.Shared.Rent(source.Length);
            }
            source.CopyTo(_pixels);
            Frame = frame with { Pixels = _pixels };
            Box = box;
        }

        public void Dispose()
        {
            FramePool.Shared.Return(_pixels);
            _pixels = [];
        }
    }
}

/// <summary>
/// One chunk's tracking outcome: the state for the next chunk, the event changes to store and publish, and the frames
/// for the snapshots of events whose best score rose in this chunk.
/// </summary>
public sealed record ChunkTrackingResult(
    TrackerState Tracker,
    IReadOnlyList<OpenEvent> Open,
    IReadOnlyList<(TrackEvent Event, string Change)> Changes,
    IReadOnlyList<(long TrackId, ImageFrame Frame, BoundingBox Box)> Snapshots);
