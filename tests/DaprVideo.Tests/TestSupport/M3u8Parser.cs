using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// A strict RFC 8216 media playlist reader for tests: it accepts only the tags our writer may use and
/// throws <see cref="FormatException"/> (with the line number) on any rule it breaks. Reusable by any
/// test that reads a playlist we serve.
/// </summary>
public static partial class M3u8Parser
{
    private static readonly HashSet<string> PlaylistTags =
    [
        "EXT-X-VERSION", "EXT-X-TARGETDURATION", "EXT-X-MEDIA-SEQUENCE", "EXT-X-DISCONTINUITY-SEQUENCE",
        "EXT-X-PLAYLIST-TYPE", "EXT-X-INDEPENDENT-SEGMENTS", "EXT-X-ENDLIST", "EXT-X-SERVER-CONTROL",
    ];

    private static readonly HashSet<string> SegmentTags = ["EXTINF", "EXT-X-DISCONTINUITY", "EXT-X-PROGRAM-DATE-TIME"];

    /// <param name="requireProgramDateTime">Every segment must carry its own EXT-X-PROGRAM-DATE-TIME (our writer's rule).</param>
    public static M3u8Playlist Parse(string text, bool requireProgramDateTime = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] == '\uFEFF')
            throw new FormatException("Playlist starts with a byte order mark (RFC 8216 §4.1).");
        foreach (var c in text)
            if (c is not '\n' and not '\r' && (c <= '\u001F' || c is >= '\u007F' and <= '\u009F'))
                throw new FormatException($"Playlist contains control character U+{(int)c:X4} (RFC 8216 §4.1).");

        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (lines[0] != "#EXTM3U")
            throw new FormatException("The first line must be #EXTM3U (RFC 8216 §4.3.1.1).");

        var playlist = new M3u8Playlist();
        var seen = new HashSet<string>();
        double? pendingDuration = null;
        string? pendingDurationText = null;
        DateTimeOffset? pendingDate = null;
        var pendingDiscontinuity = false;
        var sawSegmentLine = false;
        var sawDiscontinuity = false;
        var floatDurations = false;
        var discontinuities = 0L;
        DateTimeOffset? lastDate = null;

        for (var n = 1; n < lines.Length; n++)
        {
            var line = lines[n];
            var where = $"line {n + 1} '{line}'";
            if (line.Length == 0)
                continue;
            if (playlist.EndList)
                throw new FormatException($"{where}: nothing may follow EXT-X-ENDLIST.");
            if (!line.StartsWith('#'))
            {
                if (pendingDuration is null)
                    throw new FormatException($"{where}: a segment URI must follow an EXTINF tag (RFC 8216 §4.3.2.1).");
                if (line.Trim() != line)
                    throw new FormatException($"{where}: URI has surrounding white space.");
                if (requireProgramDateTime && pendingDate is null)
                    throw new FormatException($"{where}: segment has no EXT-X-PROGRAM-DATE-TIME.");
                if (pendingDate is { } date)
                {
                    if (lastDate is { } last && date <= last)
                        throw new FormatException($"{where}: EXT-X-PROGRAM-DATE-TIME {date:O} does not increase (previous {last:O}).");
                    lastDate = date;
                }
                if (pendingDiscontinuity)
                    discontinuities++;
                playlist.Segments.Add(new M3u8Segment(
                    playlist.MediaSequence + playlist.Segments.Count,
                    playlist.DiscontinuitySequence + discontinuities,
                    line, pendingDuration.Value, pendingDurationText!, pendingDate, pendingDiscontinuity));
                pendingDuration = null;
                pendingDate = null;
                pendingDiscontinuity = false;
                continue;
            }
            if (!line.StartsWith("#EXT", StringComparison.Ordinal))
                continue; // a comment

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? line[1..] : line[1..colon];
            var value = colon < 0 ? null : line[(colon + 1)..];

            if (SegmentTags.Contains(name))
            {
                sawSegmentLine = true;
                switch (name)
                {
                    case "EXTINF":
                        if (pendingDuration is not null)
                            throw new FormatException($"{where}: two EXTINF tags without a URI between them.");
                        var match = ExtInf().Match(value ?? "");
                        if (!match.Success)
                            throw new FormatException($"{where}: EXTINF must be <duration>,[<title>].");
                        pendingDurationText = match.Groups[1].Value;
                        pendingDuration = double.Parse(pendingDurationText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                        floatDurations |= pendingDurationText.Contains('.', StringComparison.Ordinal);
                        if (playlist.TargetDuration == 0)
                            throw new FormatException($"{where}: EXT-X-TARGETDURATION must come before the first segment.");
                        if ((int)Math.Round(pendingDuration.Value, MidpointRounding.AwayFromZero) > playlist.TargetDuration)
                            throw new FormatException($"{where}: EXTINF rounded exceeds EXT-X-TARGETDURATION {playlist.TargetDuration} (RFC 8216 §4.3.3.1).");
                        break;
                    case "EXT-X-DISCONTINUITY":
                        if (value is not null)
                            throw new FormatException($"{where}: EXT-X-DISCONTINUITY takes no value.");
                        if (pendingDiscontinuity)
                            throw new FormatException($"{where}: repeated EXT-X-DISCONTINUITY for one segment.");
                        pendingDiscontinuity = true;
                        sawDiscontinuity = true;
                        break;
                    case "EXT-X-PROGRAM-DATE-TIME":
                        if (pendingDate is not null)
                            throw new FormatException($"{where}: repeated EXT-X-PROGRAM-DATE-TIME for one segment.");
                        if (value is null || !DateTimeRegex().IsMatch(value)
                            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                            throw new FormatException($"{where}: EXT-X-PROGRAM-DATE-TIME must be an ISO 8601 date-time with a time zone.");
                        pendingDate = parsed;
                        break;
                }
                continue;
            }

            if (!PlaylistTags.Contains(name))
                throw new FormatException($"{where}: unknown or misplaced tag #{name}.");
            if (!seen.Add(name))
                throw new FormatException($"{where}: #{name} may appear only once.");
            switch (name)
            {
                case "EXT-X-VERSION":
                    playlist.Version = Integer(value, where);
                    break;
                case "EXT-X-TARGETDURATION":
                    playlist.TargetDuration = Integer(value, where);
                    if (playlist.TargetDuration < 1)
                        throw new FormatException($"{where}: target duration must be at least 1.");
                    break;
                case "EXT-X-MEDIA-SEQUENCE":
                    if (sawSegmentLine)
                        throw new FormatException($"{where}: EXT-X-MEDIA-SEQUENCE must come before the first segment (RFC 8216 §4.3.3.2).");
                    playlist.MediaSequence = Integer(value, where);
                    break;
                case "EXT-X-DISCONTINUITY-SEQUENCE":
                    if (sawSegmentLine || sawDiscontinuity)
                        throw new FormatException($"{where}: EXT-X-DISCONTINUITY-SEQUENCE must come before the first segment (RFC 8216 §4.3.3.3).");
                    playlist.DiscontinuitySequence = Integer(value, where);
                    playlist.HasDiscontinuitySequence = true;
                    break;
                case "EXT-X-PLAYLIST-TYPE":
                    if (value is not ("EVENT" or "VOD"))
                        throw new FormatException($"{where}: EXT-X-PLAYLIST-TYPE must be EVENT or VOD.");
                    playlist.PlaylistType = value;
                    break;
                case "EXT-X-INDEPENDENT-SEGMENTS":
                    playlist.IndependentSegments = NoValue(value, where);
                    break;
                case "EXT-X-ENDLIST":
                    playlist.EndList = NoValue(value, where);
                    break;
                case "EXT-X-SERVER-CONTROL":
                    // draft-pantos-hls-rfc8216bis §4.4.3.8; we write CAN-BLOCK-RELOAD=YES and nothing else.
                    if (value != "CAN-BLOCK-RELOAD=YES")
                        throw new FormatException($"{where}: EXT-X-SERVER-CONTROL other than CAN-BLOCK-RELOAD=YES: '{value}'.");
                    playlist.CanBlockReload = true;
                    break;
            }
        }

        if (pendingDuration is not null || pendingDate is not null || pendingDiscontinuity)
            throw new FormatException("Segment tags at the end are not followed by a URI.");
        if (!seen.Contains("EXT-X-TARGETDURATION"))
            throw new FormatException("EXT-X-TARGETDURATION is required (RFC 8216 §4.3.3.1).");
        if (floatDurations && playlist.Version < 3)
            throw new FormatException($"Decimal EXTINF durations need EXT-X-VERSION 3 or more; the playlist says {playlist.Version} (RFC 8216 §7).");
        if (playlist.PlaylistType == "VOD" && !playlist.EndList)
            throw new FormatException("A VOD playlist must be complete: EXT-X-ENDLIST missing.");
        return playlist;
    }

    /// <summary>
    /// Checks that <paramref name="next"/> is a legal reload of <paramref name="previous"/> (RFC 8216 §6.2.1/§6.2.2):
    /// a target duration that never shrinks, sequence numbers that never go back, a segment keeps its URI, duration and
    /// discontinuity number, segments are only removed from the front (never below the previous window's
    /// start), ENDLIST never disappears, and EVENT playlists only append.
    /// </summary>
    public static void CheckReload(M3u8Playlist previous, M3u8Playlist next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        if (previous.EndList && !next.EndList)
            throw new FormatException("EXT-X-ENDLIST disappeared on reload.");
        if (next.TargetDuration < previous.TargetDuration)
            throw new FormatException($"EXT-X-TARGETDURATION shrank from {previous.TargetDuration} to {next.TargetDuration}.");
        if (previous.PlaylistType != next.PlaylistType)
            throw new FormatException("EXT-X-PLAYLIST-TYPE changed on reload.");
        if (previous.Segments.Count == 0)
            return; // no segment numbered yet, so nothing to stay consistent with
        if (next.MediaSequence < previous.MediaSequence)
            throw new FormatException($"EXT-X-MEDIA-SEQUENCE went back from {previous.MediaSequence} to {next.MediaSequence}.");
        if (next.DiscontinuitySequence < previous.DiscontinuitySequence)
            throw new FormatException($"EXT-X-DISCONTINUITY-SEQUENCE went back from {previous.DiscontinuitySequence} to {next.DiscontinuitySequence}.");
        if (previous.PlaylistType is not null && next.MediaSequence != previous.MediaSequence)
            throw new FormatException($"An {previous.PlaylistType} playlist removed segments.");
        var before = previous.Segments.ToDictionary(s => s.MediaSequenceNumber);
        foreach (var segment in next.Segments)
        {
            if (before.TryGetValue(segment.MediaSequenceNumber, out var old) && old != segment)
                throw new FormatException($"Segment {segment.MediaSequenceNumber} changed on reload: {old} became {segment}.");
        }
        var lastBefore = previous.Segments.Count == 0 ? long.MinValue : previous.Segments[^1].MediaSequenceNumber;
        var lastAfter = next.Segments.Count == 0 ? long.MinValue : next.Segments[^1].MediaSequenceNumber;
        if (lastAfter < lastBefore)
            throw new FormatException($"The last segment went back from {lastBefore} to {lastAfter}.");
    }

    private static int Integer(string? value, string where) =>
        value is not null && DecimalInteger().IsMatch(value) && int.TryParse(value, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"{where}: expected a decimal integer.");

    private static bool NoValue(string? value, string where) =>
        value is null ? true : throw new FormatException($"{where}: this tag takes no value.");

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?),(.*)$")]
    private static partial Regex ExtInf();

    [GeneratedRegex(@"^[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeRegex();
}
