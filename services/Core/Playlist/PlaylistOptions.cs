namespace DaprVideo.Core.Playlist;

/// <summary>Playlist rules that may be tuned per deployment; call <see cref="Validate"/> at start.</summary>
public sealed class PlaylistOptions
{
    /// <summary>Longest segment we accept: far above any sane chunk length, low enough to catch unit mix-ups (ms for s).</summary>
    public const double MaxSegmentSeconds = 600;

    /// <summary>Configured chunk length (SEGMENT_SECONDS); the target duration never goes below its ceiling.</summary>
    public double SegmentSeconds { get; set; } = 3;

    /// <summary>The live window spans at least this many target durations (RFC 8216 §6.2.2 asks for 3).</summary>
    public int LiveWindowTargetDurations { get; set; } = 3;

    /// <summary>A missing sequence is given up once this many later segments have arrived past it.</summary>
    public int HoleSkipThreshold { get; set; } = 3;

    /// <summary>The sequence the playlist starts from.</summary>
    public long FirstSequence { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public PlaylistOptions Validate()
    {
        if (!double.IsFinite(SegmentSeconds) || SegmentSeconds <= 0 || SegmentSeconds > MaxSegmentSeconds)
            throw new ArgumentException($"SegmentSeconds must be above 0 and at most {MaxSegmentSeconds}; got {SegmentSeconds}.");
        if (LiveWindowTargetDurations < 3)
            throw new ArgumentException($"LiveWindowTargetDurations must be at least 3 (RFC 8216 section 6.2.2); got {LiveWindowTargetDurations}.");
        if (HoleSkipThreshold < 1)
            throw new ArgumentException($"HoleSkipThreshold must be at least 1; got {HoleSkipThreshold}.");
        if (FirstSequence < 0)
            throw new ArgumentException($"FirstSequence must not be negative; got {FirstSequence}.");
        return this;
    }
}
