using DaprVideo.Core.Events;

namespace DaprVideo.Core.Playlist;

/// <summary>
/// What a playlist needs to know about one segment. <see cref="Start"/> is the UTC program date-time
/// of its first frame; <see cref="Discontinuity"/> marks the first segment after a gap. <see cref="Bytes"/> is the
/// size of its media (0 when unknown: records stored before sizes were), what retention's byte limit counts.
/// </summary>
public sealed record PlaylistSegment(long Sequence, DateTimeOffset Start, double DurationSeconds, bool Discontinuity, long Bytes = 0)
{
    public static PlaylistSegment From(SegmentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Sequence, record.Start, record.DurationSeconds, record.Discontinuity, record.Bytes ?? 0);
    }

    /// <summary>When its last frame ends: the time retention's age limit compares.</summary>
    public DateTimeOffset End => Start.AddMilliseconds(DurationMilliseconds);

    public static PlaylistSegment From(SegmentAnnotated annotated)
    {
        ArgumentNullException.ThrowIfNull(annotated);
        return new(annotated.Sequence, annotated.Start, annotated.DurationSeconds, annotated.Discontinuity);
    }

    /// <summary>The duration as written in EXTINF (three decimals), in whole milliseconds.</summary>
    internal long DurationMilliseconds => HlsPlaylist.Milliseconds(DurationSeconds);

    /// <summary>Throws <see cref="ArgumentException"/> for values no playlist can carry.</summary>
    public void Validate()
    {
        if (Sequence < 0)
            throw new ArgumentException($"Segment sequence {Sequence} is negative.");
        if (!double.IsFinite(DurationSeconds) || DurationSeconds <= 0 || DurationSeconds > PlaylistOptions.MaxSegmentSeconds)
            throw new ArgumentException(
                $"Segment {Sequence} has duration {DurationSeconds}; it must be above 0 and at most {PlaylistOptions.MaxSegmentSeconds} seconds.");
        if (DurationMilliseconds < 1)
            throw new ArgumentException($"Segment {Sequence} is shorter than a millisecond.");
    }
}
