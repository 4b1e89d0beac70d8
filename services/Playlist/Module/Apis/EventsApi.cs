using System.Globalization;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Playlist.Apis;

/// <summary>
/// Events (one tracked object each) out of the <see cref="EventIndex"/>: <c>GET /api/streams/{id}/events</c> (one
/// stream), <c>GET /api/events</c> (every stream, newest first, paged by an opaque cursor), and each event's JPEGs
/// <c>GET /api/events/{eventId}/snapshot.jpg|crop.jpg</c>. Filters: <c>label</c>, <c>zone</c>, <c>from</c>/<c>to</c>
/// (ISO-8601 date-times; an event matches when it overlaps [from, to]) and <c>minScore</c> (0..1). Read-only routes:
/// GET and HEAD, CORS by the host's policy, no API key (reads stay open, like HLS and search).
/// </summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapReadOnly("/api/streams/{id}/events", GetStreamEventsAsync);
        app.MapReadOnly("/api/events", GetEventsAsync);
        app.MapReadOnly("/api/events/{eventId}/snapshot.jpg", (string eventId, IObjectStore store, PlaylistBuilder playlists, PlaylistSettings settings, HttpContext http, CancellationToken ct) =>
            GetImageAsync(eventId, "snapshot", ObjectKeys.EventSnapshot, store, playlists, settings, http, ct));
        app.MapReadOnly("/api/events/{eventId}/crop.jpg", (string eventId, IObjectStore store, PlaylistBuilder playlists, PlaylistSettings settings, HttpContext http, CancellationToken ct) =>
            GetImageAsync(eventId, "crop", ObjectKeys.EventCrop, store, playlists, settings, http, ct));
        return app;
    }

    private static async Task<IResult> GetStreamEventsAsync(string id, string? label, string? zone, string? from, string? to, string? minScore,
        PlaylistBuilder playlists, IObjectStore store, HttpContext http, CancellationToken ct)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        if (ReadQuery(label, zone, from, to, minScore, out var query) is { } problem) return problem;
        await CatchUpAsync(http, streamId, ct);
        var index = playlists.Events.Index;
        if (!playlists.TryGet(streamId, out _, out _) && !index.Knows(streamId) && await store.GetAsync(ObjectKeys.StreamDescriptor(streamId), ct) is null)
            return Problems.NotFound($"No stream '{streamId}'.");
        // Events change as they go on: revalidate every time.
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Ok(index.Query(streamId, query).Select(EventResource.Of).ToList());
    }

    private static async Task<IResult> GetEventsAsync(string? label, string? zone, string? from, string? to, string? minScore, string? limit, string? cursor,
        PlaylistBuilder playlists, HttpContext http, CancellationToken ct)
    {
        if (ReadQuery(label, zone, from, to, minScore, out var query) is { } problem) return problem;
        var size = EventIndex.DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > EventIndex.MaxPageSize))
            return Problems.BadRequest($"'limit' must be a whole number 1..{EventIndex.MaxPageSize}.");
        EventCursor? after = null;
        if (cursor is not null)
        {
            if (!EventCursor.TryDecode(cursor, out var decoded)) return Problems.BadRequest("'cursor' is not a cursor this API gave out (use the 'next' of a page).");
            after = decoded;
        }
        foreach (var streamId in playlists.Streams) await CatchUpAsync(http, streamId, ct);
        http.Response.Headers.CacheControl = "no-cache";
        var page = playlists.Events.Index.Page(query, size, after);
        return Results.Ok(new EventPageResource([.. page.Events.Select(EventResource.Of)], page.Next?.Encode()));
    }

    private static async Task<IResult> GetImageAsync(string eventId, string kind, Func<StreamId, long, string> keyOf, IObjectStore store,
        PlaylistBuilder playlists, PlaylistSettings settings, HttpContext http, CancellationToken ct)
    {
        if (!EventId.TryParse(eventId, out var id))
            return Problems.BadRequest($"Invalid event id '{(eventId.Length > 80 ? eventId[..80] + "..." : eventId)}': it must be {{stream}}.{{trackId}}.");
        // The key comes from the validated id, never from a stored record or the request.
        var bytes = await store.GetAsync(keyOf(id.Stream, id.TrackId), ct);
        if (bytes is null) return Problems.NotFound($"Event '{id}' has no {kind} image.");
        // The best frame may still change while the event goes on; once it has ended it never does (unless the host
        // regenerates the stream under the same keys, serve --demo).
        var final = playlists.Events.Index.TryGet(id, out var e) && !e.InProgress && !settings.RegeneratedStreams.Contains(id.Stream);
        http.Response.Headers.CacheControl = final ? "public, max-age=31536000, immutable" : "no-cache";
        // Conditional requests (304 on If-None-Match) are ASP.NET's, from the content tag.
        return Results.Bytes(bytes, "image/jpeg", entityTag: ContentTag.Of(bytes));
    }

    /// <summary>Reads the filters; a bad one gives a 400 naming it.</summary>
    private static IResult? ReadQuery(string? label, string? zone, string? from, string? to, string? minScore, out EventQuery query)
    {
        query = EventQuery.All;
        if (label is { Length: > 64 }) return Problems.BadRequest("'label' is too long (64 characters at most).");
        if (zone is { Length: > 40 }) return Problems.BadRequest("'zone' is too long (40 characters at most).");
        if (!TryTime(from, out var start)) return Problems.BadRequest("'from' must be an ISO-8601 date-time, e.g. 2026-01-31T08:00:00Z.");
        if (!TryTime(to, out var end)) return Problems.BadRequest("'to' must be an ISO-8601 date-time, e.g. 2026-01-31T09:00:00Z.");
        if (start > end) return Problems.BadRequest("'from' is after 'to'.");
        float? score = null;
        if (minScore is not null)
        {
            if (!double.TryParse(minScore, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s) || !double.IsFinite(s) || s is < 0 or > 1)
                return Problems.BadRequest("'minScore' must be a number 0..1.");
            score = (float)s;
        }
        query = new EventQuery(string.IsNullOrWhiteSpace(label) ? null : label.Trim(), string.IsNullOrWhiteSpace(zone) ? null : zone.Trim(), start, end, score);
        return null;
    }

    /// <summary>An ISO-8601 date-time (<c>2026-01-31T08:00:00Z</c>, with an offset, or UTC when it has none); absent is fine.</summary>
    private static bool TryTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (text is null) return true;
        // The shape first: DateTimeOffset.TryParse alone also takes culture forms such as 1/2/2026.
        if (text.Length is < 10 or > 40 || text[4] != '-' || text[7] != '-' || !char.IsAsciiDigit(text[0])) return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        value = parsed;
        return true;
    }

    /// <summary>Distributed replicas first catch the stream up with the store (PlaylistFreshness); the embedded host has none.</summary>
    private static Task CatchUpAsync(HttpContext http, StreamId id, CancellationToken ct) =>
        http.RequestServices.GetService<PlaylistFreshness>() is { } freshness ? freshness.EnsureFreshAsync(id, ct) : Task.CompletedTask;
}
