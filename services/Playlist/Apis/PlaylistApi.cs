using System.Globalization;
using DaprVideo.Core;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using DaprVideo.ServiceDefaults;

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

    private static async Task<IResult> GetPlaylistAsync(string id, string playlist, IObjectStore store, HttpContext http, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        var bytes = await store.GetAsync(ObjectKeys.Playlist(streamId, playlist), ct);
        if (bytes is null) return Problems.NotFound($"Stream '{streamId}' has no {playlist} yet.");
        // Playlists change as segments arrive: clients must revalidate every time.
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(bytes, "application/vnd.apple.mpegurl");
    }

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

    private static IResult GetDetections(string id, string? label, double? from, double? to, int? limit, PlaylistBuilder playlists)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        if (from is < 0 || to is < 0 || from > to) return Problems.BadRequest("'from' and 'to' must be non-negative seconds with from <= to.");
        if (limit is < 1 or > 10_000) return Problems.BadRequest("'limit' must be 1..10000.");
        if (label is { Length: > 64 }) return Problems.BadRequest("'label' is too long.");
        if (!playlists.TryGet(streamId, out _, out var index)) return Problems.NotFound($"No stream '{streamId}'.");
        return Results.Json(index.Query(label, from, to, limit ?? 1000), CoreJsonContext.Default.IReadOnlyListDetectionLine);
    }

    private static IResult GetTimeline(string id, PlaylistBuilder playlists)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        return playlists.TryGet(streamId, out _, out var index)
            ? Results.Json(index.Timeline(), CoreJsonContext.Default.IReadOnlyListSegmentSummary)
            : Problems.NotFound($"No stream '{streamId}'.");
    }

    private static IResult GetLabels(string id, PlaylistBuilder playlists)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        return playlists.TryGet(streamId, out _, out var index)
            ? Results.Json(index.Labels(), CoreJsonContext.Default.IReadOnlyListString)
            : Problems.NotFound($"No stream '{streamId}'.");
    }
}
