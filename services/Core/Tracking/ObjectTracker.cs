using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// Follows the objects of one stream across its analysed frames (SORT/ByteTrack style; see the tracking notes in
/// docs/architecture.md). Not thread-safe: one stream's frames go through one tracker, in time order.
/// CONTRACT SKELETON: the implementation lands with the tracker work.
/// </summary>
public sealed class ObjectTracker
{
    /// <param name="state">Where the stream's previous chunk left off (null: a fresh tracker whose ids start at <paramref name="firstId"/>).</param>
    public ObjectTracker(TrackerOptions options, TrackerState? state = null, long firstId = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ = state;
        _ = firstId;
        throw new NotImplementedException();
    }

    /// <summary>
    /// Feeds the detections of the analysed frame at stream time <paramref name="t"/> (seconds, not decreasing).
    /// Returns them in the same order, those that belong to a confirmed track with <see cref="Detection.TrackId"/> set,
    /// plus the tracks confirmed and ended at this frame.
    /// </summary>
    public TrackerStep Update(double t, IReadOnlyList<Detection> detections) => throw new NotImplementedException();

    /// <summary>
    /// What to draw at time <paramref name="t"/> (at or after the last update, before the next): the confirmed tracks
    /// matched at the last update, moved along their motion to <paramref name="t"/> (score and id kept), plus the last
    /// update's untracked detections where they were. Does not change the tracker.
    /// </summary>
    public IReadOnlyList<Detection> Predict(double t) => throw new NotImplementedException();

    /// <summary>Everything needed to continue in another process (JSON through <c>CoreJsonContext</c>).</summary>
    public TrackerState State => throw new NotImplementedException();
}
