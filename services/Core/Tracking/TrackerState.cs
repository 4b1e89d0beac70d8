using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// A tracker's state between chunks (JSON through <c>CoreJsonContext</c>): the next id to give, the time of the last
/// analysed frame (null before the first), every live track (tentative ones included, in the tracker's order) and the
/// last frame's output (what <see cref="ObjectTracker.Predict"/> moves). Doubles round-trip exactly in JSON, so a tracker
/// rebuilt from it continues exactly as the original.
/// </summary>
public sealed record TrackerState(long NextId, double? LastT, IReadOnlyList<TrackSnapshot> Tracks, IReadOnlyList<Detection> LastDetections);
