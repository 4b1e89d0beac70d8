namespace DaprVideo.Core.Tracking;

/// <summary>
/// One track in a <see cref="TrackerState"/>. <see cref="Id"/> null: tentative. <see cref="Mean"/>: the motion model's
/// state at the state's LastT (centre x, centre y, width, height, then their velocities per second; 8 numbers).
/// <see cref="Covariance"/>: per dimension (cx, cy, w, h) its position variance, position-velocity covariance and
/// velocity variance (12 numbers; the dimensions are independent, see <see cref="BoxKalman"/>).
/// </summary>
public sealed record TrackSnapshot(long? Id, int ClassId, int Hits, double LastSeen, bool MatchedLast,
    IReadOnlyList<double> Mean, IReadOnlyList<double> Covariance);
