namespace DaprVideo.Core.Tracking;

/// <summary>
/// Tracker tuning (defaults chosen for 1-5 analysed frames per second of a fixed camera; see the tracker tests for why).
/// Sizes in the noise figures are relative: a box's own width (for x and width) or height (for y and height).
/// </summary>
public sealed record TrackerOptions
{
    /// <summary>
    /// Detections at or above this score match first and may start tracks (ByteTrack's high set); those below (down to the
    /// caller's SCORE_THRESHOLD, 0.5 by default) only keep tracks alive that were matched at the previous analysed frame.
    /// 0.6 keeps SSDLite's weak, half-occluded detections of a followed object (typically 0.5-0.6) from starting tracks.
    /// </summary>
    public double HighScore { get; init; } = 0.6;

    /// <summary>Least IoU of a high detection with a track's predicted box to be considered (unless the motion gate admits it).</summary>
    public double MinIou { get; init; } = 0.2;

    /// <summary>Least IoU for the low-score stage (stricter, as in ByteTrack: a weak detection must sit where the track is).</summary>
    public double LowMinIou { get; init; } = 0.5;

    /// <summary>
    /// Motion gate: a detection farther from the prediction than this squared Mahalanobis distance (centre and size, 4
    /// degrees of freedom) is admitted only by overlap. 9.4877 is chi-square's 95% point for 4 dof, as in DeepSORT.
    /// </summary>
    public double GateChiSquare { get; init; } = 9.4877;

    /// <summary>
    /// A pair whose cost (1 - IoU + squared centre distance over the enclosing box's squared diagonal, i.e. 1 - DIoU,
    /// 0..2) reaches this is never matched: leaving both unmatched is cheaper. 1.5: boxes apart by up to about their size.
    /// </summary>
    public double MaxMatchCost { get; init; } = 1.5;

    /// <summary>Matches (the first detection included) that confirm a tentative track and give it an id; 1 confirms at once.</summary>
    public int ConfirmHits { get; init; } = 2;

    /// <summary>A confirmed track unmatched for longer than this much stream time ends (its event ends at its last match).</summary>
    public double MaxLostSeconds { get; init; } = 2.0;

    /// <summary>Detector jitter: standard deviation of a measured centre or size, relative to the box size.</summary>
    public double MeasurementNoise { get; init; } = 0.05;

    /// <summary>
    /// Motion change: white-noise acceleration, relative size per s^1.5 (how fast an object may change velocity). 1, not
    /// more: on the real detector's boxes (CrossingTrackingTests, EventsBench) 3 let a track lost at a crossing take the
    /// other person's box 88 px from its prediction; synthetic objects that turn back instantly (TrackingBench) would
    /// keep their ids better with 3, people do not turn like that.
    /// </summary>
    public double AccelerationNoise { get; init; } = 1.0;

    /// <summary>Unknown velocity of a new track: standard deviation, relative size per second.</summary>
    public double InitialVelocityNoise { get; init; } = 4.0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first out-of-range option.</summary>
    public void Validate()
    {
        Check(HighScore is >= 0 and <= 1, nameof(HighScore), "0..1");
        Check(MinIou is >= 0 and <= 1, nameof(MinIou), "0..1");
        Check(LowMinIou is >= 0 and <= 1, nameof(LowMinIou), "0..1");
        Check(GateChiSquare is >= 0 and < double.PositiveInfinity, nameof(GateChiSquare), ">= 0");
        Check(MaxMatchCost is > 0 and <= 2, nameof(MaxMatchCost), "in (0, 2]");
        Check(ConfirmHits is >= 1 and <= 100, nameof(ConfirmHits), "1..100");
        Check(MaxLostSeconds is >= 0 and < double.PositiveInfinity, nameof(MaxLostSeconds), ">= 0");
        Check(MeasurementNoise is > 0 and < double.PositiveInfinity, nameof(MeasurementNoise), "> 0");
        Check(AccelerationNoise is >= 0 and < double.PositiveInfinity, nameof(AccelerationNoise), ">= 0");
        Check(InitialVelocityNoise is > 0 and < double.PositiveInfinity, nameof(InitialVelocityNoise), "> 0");
    }

    private static void Check(bool ok, string name, string range)
    {
        if (!ok) throw new ArgumentException($"Tracker option {name} must be {range}.", name);
    }
}
