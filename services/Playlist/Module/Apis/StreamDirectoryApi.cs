using System.Text.Json.Serialization;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Search;
using DaprVideo.Core.Streams;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprVideo.Playlist.Apis;

/// <summary>
/// Read-only <c>GET /api/streams[/{id}]</c> for the viewer when Playlist runs on its own (distributed):
/// the stream descriptors Ingest keeps in the object store, for the streams this replica knows. Same JSON
/// shape as Ingest's control API; control calls (POST/DELETE) stay on Ingest. How a stream is analysed comes from its
/// segment records: a running stream whose latest segment was analysed below DETECT_FPS is <c>degraded</c>.
/// </summary>
public static class StreamDirectoryApi
{
    public static IEndpointRouteBuilder MapStreamDirectory(this IEndpointRouteBuilder app)
    {
        var streams = app.MapGroup("/api/streams");
        streams.MapReadOnly("/", ListAsync);
        streams.MapReadOnly("/{id}", GetAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(PlaylistBuilder playlists, IObjectStore store, CancellationToken ct)
    {
        var list = new List<StreamSummary>();
        foreach (var id in playlists.Streams)
            list.Add(await SummaryAsync(id, playlists, store, ct));
        return Results.Ok(list.OrderBy(s => s.StartedAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList());
    }

    private static async Task<IResult> GetAsync(string id, PlaylistBuilder playlists, PlaylistFreshness freshness, IObjectStore store, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        var known = await freshness.EnsureFreshAsync(streamId, ct);
        var descriptor = await store.GetAsync(ObjectKeys.StreamDescriptor(streamId), ct);
        if (!known && descriptor is null) return Problems.NotFound($"No stream '{streamId}'.");
        return Results.Ok(await SummaryAsync(streamId, playlists, store, ct));
    }

    private static async Task<StreamSummary> SummaryAsync(StreamId id, PlaylistBuilder playlists, IObjectStore store, CancellationToken ct)
    {
        var stored = await store.GetAsync(ObjectKeys.StreamDescriptor(id), ct) is { } json ? StreamDescriptor.Parse(json) : null;
        var known = playlists.TryGet(id, out var playlist, out var index);
        var segments = known ? playlist.Segments : [];
        var state = stored?.State ?? (known && playlist.IsComplete ? StreamDescriptor.Ended : StreamDescriptor.Running);
        var analysis = known ? index.LatestAnalysis() : null;
        if (state == StreamDescriptor.Running && analysis is { Degraded: true }) state = StreamAnalysis.DegradedState;
        return new StreamSummary(
            id.Value,
            stored?.Source ?? "",
            state,
            stored?.Error,
            stored?.Live ?? false,
            stored is null ? segments.Count : stored.LastSequence + 1,
            stored?.DurationSeconds ?? segments.Sum(s => s.DurationSeconds),
            stored?.StartedAt ?? (segments.Count > 0 ? segments[0].Start : DateTimeOffset.UnixEpoch),
            new StreamLinks($"/streams/{id}/live.m3u8", $"/streams/{id}/index.m3u8"),
            analysis?.AnalysedFps,
            analysis?.DetectFps);
    }

    /// <summary>The viewer's stream object (Ingest's StreamStatus shape).</summary>
    public sealed record StreamSummary(string Id, string Source, string State, string? Error, bool Live, long Segments,
        double DurationSeconds, DateTimeOffset StartedAt, StreamLinks Playlists,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? AnalysedFps = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DetectFps = null);

    public sealed record StreamLinks(string Live, string Index);
}
