namespace DaprVideo.Core.Tracking;

/// <summary>One followed object inside <see cref="ObjectTracker"/>: its motion estimate and lifecycle counters.</summary>
internal sealed class Track
{
    public long? Id;          // null while tentative
    public int ClassId;
    public int Hits;          // matches so far, the first detection included
    public double LastSeen;   // stream time of the last match
    public bool MatchedLast;  // matched at the last analysed frame (drawn by Predict; may take low-score detections)
    public readonly double[] Mean = new double[BoxKalman.MeanLength];
    public readonly double[] Covariance = new double[BoxKalman.CovarianceLength];

    public bool Confirmed => Id is not null;

    public TrackSnapshot ToSnapshot() =>
        new(Id, ClassId, Hits, LastSeen, MatchedLast, (double[])Mean.Clone(), (double[])Covariance.Clone());

    public static Track FromSnapshot(TrackSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Mean is null || s.Mean.Count != BoxKalman.MeanLength || s.Covariance is null || s.Covariance.Count != BoxKalman.CovarianceLength)
            throw new ArgumentException($"Tracker state has a track with {s.Mean?.Count ?? 0} mean and {s.Covariance?.Count ?? 0} covariance values (want {BoxKalman.MeanLength} and {BoxKalman.CovarianceLength}).");
        if (s.Id is < 1 || s.Hits < 1 || !double.IsFinite(s.LastSeen))
            throw new ArgumentException($"Tracker state has a track with id {s.Id}, {s.Hits} hits, last seen {s.LastSeen}.");
        var t = new Track { Id = s.Id, ClassId = s.ClassId, Hits = s.Hits, LastSeen = s.LastSeen, MatchedLast = s.MatchedLast };
        for (var i = 0; i < BoxKalman.MeanLength; i++) t.Mean[i] = Finite(s.Mean[i]);
        for (var i = 0; i < BoxKalman.CovarianceLength; i++) t.Covariance[i] = Finite(s.Covariance[i]);
        return t;
    }

    private static double Finite(double x) =>
        double.IsFinite(x) ? x : throw new ArgumentException("Tracker state has a track with a non-finite motion value.");
}
