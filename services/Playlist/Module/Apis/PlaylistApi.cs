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

namespace DaprVideo.Playlist.Apis;

/// <summary>
/// HLS out of the object store (<c>/streams/{id}/...</c>) and detection search
/// (<c>/api/streams/{id}/detections|timeline|labels</c>).
/// </summary>
public static class PlaylistApi
{
    public static IEndpointRouteBuilder MapPlaylistApi(this IEndpointRouteBuilder app)
    {
        var hls = app.MapGroup("/streams/{id}");
        hls.MapGet("/{playlist:regex(^(live|index)\\.m3u8$)}", GetPlaylistAsync);
        hls.MapGet("/segments/{file:regex(^\\d{{6}}\\.ts$)}", GetSegmentAsync);

        var search = app.MapGroup("/api/streams/{id}");
        search.MapGet("/detections", GetDetections);
        search.MapGet("/timeline", GetTimeline);
        search.MapGet("/labels", GetLabels);
        return app;
    }

    private static async Task<IResult> GetPlaylistAsync(string id, string playlist, PlaylistBuilder playlists, HttpContext http, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        await CatchUpAsync(http, streamId, ct);
        // Rendered from this process's state (cached per version): a pure function of the records applied,
        // so replicas that applied the same records answer with the same bytes.
        if (!playlists.TryGet(streamId, out var state, out _)) return Problems.NotFound($"Stream '{streamId}' has no {playlist} yet.");
        var view = playlist == PlaylistBuilder.LivePlaylist ? PlaylistView.Live : PlaylistView.Event;
        // Playlists change as segments arrive: clients must revalidate every time.
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(Encoding.UTF8.GetBytes(state.Render(view)), "application/vnd.apple.mpegurl");
    }

    /// <summary>Distributed replicas first catch the stream up with the store (see PlaylistFreshness); the embedded host has none.</summary>
    private static Task CatchUpAsync(HttpContext http, StreamId id, CancellationToken ct) =>
        http.RequestServices.GetService<PlaylistFreshness>() is { } freshness ? freshness.EnsureFreshAsync(id, ct) : Task.CompletedTask;

    private static async Task<IResult> GetSegmentAsync(string id, string file, IObjectStore store, HttpContext http, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        var sequence = long.Parse(file.AsSpan(0, 6), CultureInfo.InvariantCulture);
        var bytes = await store.GetAsync(ObjectKeys.Segment(streamId, sequence), ct);
        if (bytes is null) return Problems.NotFound($"Stream '{streamId}' has no segment {file}.");
        // A segment never changes once written (immutable, idempotent keys).
        http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return Results.Bytes(bytes, "video/mp2t");
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
