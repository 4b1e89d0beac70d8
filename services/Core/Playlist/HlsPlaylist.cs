using System.Globalization;
using System.Text;
using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Playlist;

/// <summary>
/// Renders RFC 8216 media playlists from an ordered segment list. Pure text in, text out:
/// the same list always gives the same bytes (invariant culture, LF line ends, no BOM).
/// </summary>
public static class HlsPlaylist
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Decimal EXTINF durations need protocol version 3 (RFC 8216 §7); no tag we write needs more.</summary>
    public const int ProtocolVersion = 3;

    /// <summary>A duration rounded to the nearest integer, as RFC 8216 §4.3.3.1 compares it with the target duration.</summary>
    public static int RoundedSeconds(double seconds) => (int)((Milliseconds(seconds) + 500) / 1000);

    /// <summary>A duration as EXTINF writes it (three decimals), in whole milliseconds; all window sums use these so they are exact.</summary>
    internal static long Milliseconds(double seconds) => (long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero);

    /// <summary>max(ceil(configured segment length), every EXTINF rounded to the nearest integer).</summary>
    public static int TargetDuration(double configuredSegmentSeconds, IEnumerable<PlaylistSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var target = Math.Max(1, (int)Math.Ceiling(configuredSegmentSeconds));
        foreach (var segment in segments)
            target = Math.Max(target, RoundedSeconds(segment.DurationSeconds));
        return target;
    }

    /// <summary>
    /// Index of the first segment of the live window: the shortest tail lasting at least
    /// <paramref name="windowTargetDurations"/> target durations (all segments while the stream is shorter).
    /// Never earlier than <paramref name="previousStart"/>, so MEDIA-SEQUENCE only grows even if the target duration did.
    /// </summary>
    public static int LiveWindowStart(IReadOnlyList<PlaylistSegment> segments, int targetDuration, int windowTargetDurations, int previousStart = 0)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var needMs = (long)targetDuration * windowTargetDurations * 1000;
        var start = segments.Count;
        long spanMs = 0;
        while (start > previousStart && spanMs < needMs)
            spanMs += segments[--start].DurationMilliseconds;
        return Math.Max(start, previousStart);
    }

    /// <summary>
    /// Renders one view. <paramref name="ended"/> adds ENDLIST to the EVENT and LIVE views (VOD always has it);
    /// <paramref name="liveWindowStart"/> is the index of the first segment shown in the LIVE view.
    /// </summary>
    public static string Render(
        PlaylistView view,
        IReadOnlyList<PlaylistSegment> segments,
        int targetDuration,
        bool ended,
        int liveWindowStart = 0)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetDuration, 1);
        CheckOrder(segments, targetDuration);
        var first = view == PlaylistView.Live ? liveWindowStart : 0;
        if (first < 0 || first > segments.Count || (first == segments.Count && segments.Count > 0))
            throw new ArgumentOutOfRangeException(nameof(liveWindowStart), liveWindowStart, $"Window start must index one of {segments.Count} segments.");

        var text = new StringBuilder(256 + 96 * (segments.Count - first));
        Line(text, "#EXTM3U");
        text.Append(Invariant, $"#EXT-X-VERSION:{ProtocolVersion}\n");
        text.Append(Invariant, $"#EXT-X-TARGETDURATION:{targetDuration}\n");
        // Media sequence numbers count published segments, so a segment keeps its number across reloads
        // even when a skipped hole makes it differ from the object sequence.
        var baseSequence = segments.Count > 0 ? segments[0].Sequence : 0;
        text.Append(Invariant, $"#EXT-X-MEDIA-SEQUENCE:{baseSequence + first}\n");
        if (view == PlaylistView.Live)
            text.Append(Invariant, $"#EXT-X-DISCONTINUITY-SEQUENCE:{DiscontinuitiesBefore(segments, first)}\n");
        if (view != PlaylistView.Live)
            Line(text, view == PlaylistView.Vod ? "#EXT-X-PLAYLIST-TYPE:VOD" : "#EXT-X-PLAYLIST-TYPE:EVENT");
        Line(text, "#EXT-X-INDEPENDENT-SEGMENTS");

        for (var i = first; i < segments.Count; i++)
        {
            var segment = segments[i];
            // Nothing precedes the very first segment, so a discontinuity there means nothing.
            if (segment.Discontinuity && i > 0)
                Line(text, "#EXT-X-DISCONTINUITY");
            text.Append(Invariant, $"#EXT-X-PROGRAM-DATE-TIME:{FormatDateTime(segment.Start)}\n");
            var ms = segment.DurationMilliseconds;
            text.Append(Invariant, $"#EXTINF:{ms / 1000}.{ms % 1000:D3},\n");
            Line(text, ObjectKeys.SegmentUri(segment.Sequence));
        }

        if (ended || view == PlaylistView.Vod)
            Line(text, "#EXT-X-ENDLIST");
        return text.ToString();
    }

    /// <summary>ISO 8601 in UTC with milliseconds, e.g. <c>2024-05-01T12:00:03.250Z</c>.</summary>
    public static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>EXT-X-DISCONTINUITY tags that slid out of a window starting at <paramref name="windowStart"/>.</summary>
    private static int DiscontinuitiesBefore(IReadOnlyList<PlaylistSegment> segments, int windowStart)
    {
        var count = 0;
        for (var i = 1; i < windowStart; i++)
            if (segments[i].Discontinuity)
                count++;
        return count;
    }

    private static void CheckOrder(IReadOnlyList<PlaylistSegment> segments, int targetDuration)
    {
        for (var i = 0; i < segments.Count; i++)
        {
            if (i > 0 && segments[i].Sequence <= segments[i - 1].Sequence)
                throw new ArgumentException($"Segments must be in increasing sequence order; {segments[i].Sequence} follows {segments[i - 1].Sequence}.");
            if (RoundedSeconds(segments[i].DurationSeconds) > targetDuration)
                throw new ArgumentException($"Segment {segments[i].Sequence} lasts {segments[i].DurationSeconds} s, more than the target duration {targetDuration} s.");
        }
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
