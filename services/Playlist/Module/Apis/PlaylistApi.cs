using System.Globalization;
using System.Text;
using DaprVideo.Core;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DaprVideo.Playlist.Apis;

/// <summary>
/// HLS out of the object store (<c>/streams/{id}/...</c>) and detection search
/// (<c>/api/streams/{id}/detections|timeline|labels</c>), and the events (<see cref="EventsApi"/>).
/// </summary>
public static class PlaylistApi
{
    public static IEndpointRouteBuilder MapPlaylistApi(this IEndpointRouteBuilder app)
    {
        // Route regexes match case-insensitively (ASP.NET's regex constraint); \z, not $, which lets a final newline
        // through; [0-9], not \d, which takes any Unicode digit (a full-width one would reach long.Parse).
        var hls = app.MapGroup("/streams/{id}");
        hls.MapReadOnly("/{playlist:regex(^(live|index)\\.m3u8\\z)}", GetPlaylistAsync);
        hls.MapReadOnly("/segments/{file:regex(^[0-9]{{6}}\\.ts\\z)}", GetSegmentAsync);

        var search = app.MapGroup("/api/streams/{id}");
        search.MapReadOnly("/detections", GetDetections);
        search.MapReadOnly("/timeline", GetTimeline);
        search.MapReadOnly("/labels", GetLabels);
        return app.MapEventsApi();
    }

    private static async Task<IResult> GetPlaylistAsync(string id, string playlist, PlaylistBuilder playlists, HttpContext http, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        if (!BlockingPlaylistReload.TryRead(http.Request.Query, out var msn, out var badDirective)) return badDirective!;
        await CatchUpAsync(http, streamId, ct);
        // Rendered from this process's state (cached per version): a pure function of the records applied,
        // so replicas that applied the same records answer with the same bytes.
        if (!playlists.TryGet(streamId, out var state, out _)) return Problems.NotFound($"Stream '{streamId}' has no {playlist} yet.");
        if (msn is { } wanted)
        {
            var freshness = http.RequestServices.GetService<PlaylistFreshness>();
            var lookAgain = freshness is { Interval: var interval } && interval < BlockingPlaylistReload.LookAgain ? interval : BlockingPlaylistReload.LookAgain;
            // A held request must not hold up a graceful stop: it is let go at once with 503 and Retry-After.
            var stopping = http.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
            using var held = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping);
            IResult? problem;
            try
            {
                problem = await BlockingPlaylistReload.WaitAsync(streamId, wanted, playlists, c => CatchUpAsync(http, streamId, c),
                    http.RequestServices.GetRequiredService<TimeProvider>(), lookAgain, held.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return Problems.Stopping();
            }
            if (problem is not null) return problem;
            if (!playlists.TryGet(streamId, out state, out _)) return Problems.NotFound($"Stream '{streamId}' has no {playlist} yet.");
        }
        // The route matched LIVE.m3u8 too (case-insensitive), so the comparison must be as well.
        var view = string.Equals(playlist, PlaylistBuilder.LivePlaylist, StringComparison.OrdinalIgnoreCase) ? PlaylistView.Live : PlaylistView.Event;
        // Playlists change as segments arrive: clients must revalidate every time, cheaply (304 on the same bytes).
        http.Response.Headers.CacheControl = "no-cache";
        var bytes = Encoding.UTF8.GetBytes(state.Render(view, canBlockReload: true));
        return Results.Bytes(bytes, "application/vnd.apple.mpegurl", entityTag: ContentTag.Of(bytes));
    }

    /// <summary>Distributed replicas first catch the stream up with the store (see PlaylistFreshness); the embedded host has none.</summary>
    private static Task CatchUpAsync(HttpContext http, StreamId id, CancellationToken ct) =>
        http.RequestServices.GetService<PlaylistFreshness>() is { } freshness ? freshness.EnsureFreshAsync(id, ct) : Task.CompletedTask;

    private static async Task<IResult> GetSegmentAsync(string id, string file, IObjectStore store, PlaylistBuilder playlists, PlaylistSettings settings,
        HttpContext http, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        var sequence = long.Parse(file.AsSpan(0, 6), CultureInfo.InvariantCulture);
        var bytes = await store.GetAsync(ObjectKeys.Segment(streamId, sequence), ct);
        if (bytes is null) return Problems.NotFound($"Stream '{streamId}' has no segment {file}.");
        // A segment never changes once written (immutable, idempotent keys), unless its host regenerates the stream
        // under the same keys (serve --demo): then a cached copy must be revalidated against the ETag.
        http.Response.Headers.CacheControl = settings.RegeneratedStreams.Contains(streamId) ? "no-cache" : "public, max-age=31536000, immutable";
        // Ranges (206, 416) and conditional requests (304) are ASP.NET's, from these validators.
        return Results.Bytes(bytes, "video/mp2t", lastModified: LastModified(playlists, streamId, sequence), entityTag: ContentTag.Of(bytes),
            enableRangeProcessing: true);
    }

    /// <summary>
    /// When the segment's last frame was taken (its program date-time plus its duration), for If-Modified-Since; never
    /// later than now (RFC 9110 8.8.2: a file processed faster than real time has segments "from the future").
    /// Null while this process does not list the segment.
    /// </summary>
    private static DateTimeOffset? LastModified(PlaylistBuilder playlists, StreamId id, long sequence)
    {
        if (!playlists.TryGet(id, out var state, out _)) return null;
        var segments = state.Segments;
        var index = BinarySearch(segments, sequence);
        if (index < 0) return null;
        var end = segments[index].Start.AddSeconds(segments[index].DurationSeconds);
        var now = DateTimeOffset.UtcNow;
        return end < now ? end : now;
    }

    private static int BinarySearch(IReadOnlyList<PlaylistSegment> segments, long sequence)
    {
        int lo = 0, hi = segments.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var at = segments[mid].Sequence;
            if (at == sequence) return mid;
            if (at < sequence) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    private static async Task<IResult> GetDetections(string id, string? label, double? from, double? to, int? limit, PlaylistBuilder playlists, HttpContext http, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        await CatchUpAsync(http, streamId, ct);
        if (from is < 0 || to is < 0 || from > to) return Problems.BadRequest("'from' and 'to' must be non-negative seconds with from <= to.");
        if (limit is < 1 or > 10_000) return Problems.BadRequest("'limit' must be 1..10000.");
        if (label is { Length: > 64 }) return Problems.BadRequest("'label' is too long.");
        if (!playlists.TryGet(streamId, out _, out var index)) return Problems.NotFound($"No stream '{streamId}'.");
        return Results.Json(index.Query(label, from, to, limit ?? 1000), CoreJsonContext.Default.IReadOnlyListDetectionLine);
    }

    private static async Task<IResult> GetTimeline(string id, PlaylistBuilder playlists, HttpContext http, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        await CatchUpAsync(http, streamId, ct);
        return playlists.TryGet(streamId, out _, out var index)
            ? Results.Json(index.Timeline(), CoreJsonContext.Default.IReadOnlyListSegmentSummary)
            : Problems.NotFound($"No stream '{streamId}'.");
    }

    private static async Task<IResult> GetLabels(string id, PlaylistBuilder playlists, HttpContext http, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        await CatchUpAsync(http, streamId, ct);
        return playlists.TryGet(streamId, out _, out var index)
            ? Results.Json(index.Labels(), CoreJsonContext.Default.IReadOnlyListString)
            : Problems.NotFound($"No stream '{streamId}'.");
    }
}
