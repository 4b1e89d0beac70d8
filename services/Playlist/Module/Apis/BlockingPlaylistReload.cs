using System.Globalization;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Http;

namespace DaprVideo.Playlist.Apis;

/// <summary>
/// Blocking Playlist Reload (draft-pantos-hls-rfc8216bis §6.2.5.2), which the playlists advertise with
/// <c>EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES</c>: <c>live.m3u8?_HLS_msn=M</c> is answered once the playlist holds
/// the segment with Media Sequence Number M (or a later one), so a player hears of a new segment when it is listed,
/// not up to a target duration later when its reload timer fires. The rules kept: the whole playlist is sent (M4); an
/// ended playlist ignores the directive (M5); M beyond the last number plus two is a 400 at once (S1); a wait longer
/// than three target durations ends in 503 (S2), after which hls.js reloads without the directive and polls until
/// the playlist advances again. We publish no partial segments, so <c>_HLS_part</c> is a 400 (M6, and the error M2
/// allows); <c>_HLS_skip</c> is ignored, as no CAN-SKIP-UNTIL is advertised (§6.2.5.1 M5).
/// </summary>
public static class BlockingPlaylistReload
{
    public const string MsnDirective = "_HLS_msn";
    public const string PartDirective = "_HLS_part";

    /// <summary>
    /// How often a waiting request looks again without being told of a change: a state replaced by a rebuild tells
    /// nobody, and a distributed replica learns of segments by syncing with the store (then its sync interval is used).
    /// </summary>
    public static readonly TimeSpan LookAgain = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The requested Media Sequence Number, or null when the request does not block; false with a 400 for a directive
    /// that is not a decimal integer or asks for parts.
    /// </summary>
    public static bool TryRead(IQueryCollection query, out long? msn, out IResult? problem)
    {
        ArgumentNullException.ThrowIfNull(query);
        msn = null;
        problem = null;
        if (query.ContainsKey(PartDirective))
        {
            problem = Problems.BadRequest(query.ContainsKey(MsnDirective)
                ? "This server publishes no partial segments: _HLS_part cannot be satisfied; block on _HLS_msn alone."
                : "_HLS_part needs _HLS_msn (and this server publishes no partial segments).");
            return false;
        }
        if (!query.TryGetValue(MsnDirective, out var values)) return true;
        // decimal-integer (RFC 8216 §4.2): digits only, no sign, at most 19 of them.
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= 19 } text || !text.All(char.IsAsciiDigit)
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            problem = Problems.BadRequest($"{MsnDirective} must be one decimal integer (a Media Sequence Number).");
            return false;
        }
        msn = value;
        return true;
    }

    /// <summary>
    /// Waits until the stream's playlist lists Media Sequence Number <paramref name="msn"/> or later, or has ended.
    /// Returns null when the playlist may be sent, otherwise the problem to answer (400, 404, 503).
    /// <paramref name="catchUp"/> brings this process's state up to date first (distributed replicas read the store).
    /// </summary>
    public static async Task<IResult?> WaitAsync(StreamId id, long msn, PlaylistBuilder playlists, Func<CancellationToken, Task> catchUp,
        TimeProvider time, TimeSpan lookAgain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(playlists);
        ArgumentNullException.ThrowIfNull(catchUp);
        ArgumentNullException.ThrowIfNull(time);
        DateTimeOffset? deadline = null;
        while (true)
        {
            await catchUp(cancellationToken);
            if (!playlists.TryGet(id, out var state, out _)) return Problems.NotFound($"No stream '{id}'.");
            var version = state.Version;
            if (state.IsComplete) return null;
            var last = state.LastMediaSequence ?? -1;
            if (msn <= last) return null;
            if (deadline is null)
            {
                if (msn > last + 2)
                    return Problems.BadRequest($"{MsnDirective}={msn} is more than two segments past the last one listed ({last}).");
                deadline = time.GetUtcNow() + (3 * TimeSpan.FromSeconds(state.TargetDuration));
            }
            var left = deadline.Value - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
                return Problems.Unavailable(string.Create(CultureInfo.InvariantCulture,
                    $"Segment {msn} of stream '{id}' was not listed within three target durations ({3 * state.TargetDuration} s)."),
                    TimeSpan.FromSeconds(Math.Max(1, state.TargetDuration / 2.0)));
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = Task.Delay(left < lookAgain ? left : lookAgain, time, wake.Token);
            await Task.WhenAny(state.ChangedSince(version), timer);
            await wake.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
