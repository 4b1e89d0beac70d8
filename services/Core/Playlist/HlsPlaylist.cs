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
    /// <paramref name="liveWindowStart"/> is the index of the first segment shown in the LIVE view;
    /// <paramref name="head"/> numbers the first segment once retention removed older ones (default: the list is whole).
    /// <paramref name="canBlockReload"/> adds <c>EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES</c> to a playlist that can
    /// still grow (EVENT or LIVE without ENDLIST): only for a server that holds <c>_HLS_msn</c> requests until the
    /// segment exists (draft-pantos-hls-rfc8216bis §4.4.3.8, §6.2.5.2), so players learn of a segment when it is listed
    /// instead of up to a target duration later. No other LL-HLS tag is written: no parts, no HOLD-BACK (its absence
    /// means three target durations; players may be told to sit closer, as the viewer does).
    /// </summary>
    public static string Render(
        PlaylistView view,
        IReadOnlyList<PlaylistSegment> segments,
        int targetDuration,
        bool ended,
        int liveWindowStart = 0,
        PlaylistHead? head = null,
        bool canBlockReload = false)
    {
        ArgumentNullException.ThrowIfNull(segments);
        head ??= PlaylistHead.Start(segments);
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
        // even when a skipped hole makes it differ from the object sequence; segments removed by retention
        // are counted in the head, so the numbers of those that stay never change (RFC 8216 §6.2.1).
        text.Append(Invariant, $"#EXT-X-MEDIA-SEQUENCE:{head.MediaSequence + first}\n");
        // A sliding list (LIVE, or EVENT under retention) says how many discontinuity tags slid out (§4.3.3.3).
        var sliding = view == PlaylistView.Live || (view == PlaylistView.Event && head.Retained);
        if (sliding)
            text.Append(Invariant, $"#EXT-X-DISCONTINUITY-SEQUENCE:{head.DiscontinuitySequence + DiscontinuitiesBefore(segments, first, head.Trimmed)}\n");
        if (view == PlaylistView.Vod || (view == PlaylistView.Event && !head.Retained))
            Line(text, view == PlaylistView.Vod ? "#EXT-X-PLAYLIST-TYPE:VOD" : "#EXT-X-PLAYLIST-TYPE:EVENT");
        Line(text, "#EXT-X-INDEPENDENT-SEGMENTS");
        if (canBlockReload && view != PlaylistView.Vod && !ended)
            Line(text, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES");

        for (var i = first; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (ShowsDiscontinuity(segments, i, head.Trimmed))
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

    /// <summary>EXT-X-DISCONTINUITY tags shown before index <paramref name="end"/> (those that slid out of a window starting there).</summary>
    public static int DiscontinuitiesBefore(IReadOnlyList<PlaylistSegment> segments, int end, bool trimmed)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var count = 0;
        for (var i = 0; i < end; i++)
            if (ShowsDiscontinuity(segments, i, trimmed))
                count++;
        return count;
    }

    /// <summary>
    /// Nothing precedes the very first segment of a stream, so a discontinuity there means nothing and is not written;
    /// once retention removed older segments, the first one listed had a predecessor and keeps its tag.
    /// </summary>
    private static bool ShowsDiscontinuity(IReadOnlyList<PlaylistSegment> segments, int index, bool trimmed) =>
        segments[index].Discontinuity && (index > 0 || trimmed);

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
