using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// One analysed frame through the tracker: its detections (same order; <see cref="Detection.TrackId"/> set on those of
/// confirmed tracks), the ids confirmed at this frame (their events start) and the tracks given up at this frame.
/// </summary>
public sealed record TrackerStep(IReadOnlyList<Detection> Detections, IReadOnlyList<long> Started, IReadOnlyList<TrackEnd> Ended);

/// <summary>A track the tracker gave up: <see cref="LastSeen"/> is the stream time of its last matched frame (the event's end).</summary>
public readonly record struct TrackEnd(long TrackId, double LastSeen);
