using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Search;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Ingest.Apis;

/// <summary>The stream control API: <c>/api/streams</c>.</summary>
public static class StreamsApi
{
    public static IEndpointRouteBuilder MapStreamsApi(this IEndpointRouteBuilder app, string? apiKey)
    {
        var streams = app.MapGroup("/api/streams");
        var key = new ApiKeyFilter(apiKey);
        streams.MapGet("/", (StreamCaptures captures, HttpContext http) => Results.Ok(captures.List().Select(s => WithAnalysis(s, http)).ToList()));
        streams.MapGet("/{id}", (string id, StreamCaptures captures, HttpContext http) =>
            !StreamId.TryParse(id, out var streamId) ? Problems.InvalidStreamId(id)
            : captures.Get(streamId) is { } status ? Results.Ok(WithAnalysis(status, http))
            : Problems.NotFound($"No stream '{streamId}'."));
        streams.MapPost("/", CreateAsync).AddEndpointFilter(key);
        streams.MapDelete("/{id}", DeleteAsync).AddEndpointFilter(key);
        return app;
    }

    private static async Task<IResult> CreateAsync(StreamRequest? request, StreamCaptures captures, SourcePolicy policy, IAdmissionSignal admission,
        CancellationToken cancellationToken)
    {
        if (request is null) return Problems.BadRequest("Send a JSON body {\"id\": \"...\", \"source\": \"...\"}.");
        if (!StreamId.TryParse(request.Id, out var id)) return Problems.InvalidStreamId(request.Id ?? "");
        if (!VideoSource.TryParse(request.Source, out var source, out var error)) return Problems.BadRequest(error);
        try
        {
            policy.Check(source);
            // Analysis at its floor and still behind: another camera would make every stream late (503, nothing else changes).
            if (await admission.CheckAsync(cancellationToken) is { } refusal) return Problems.Unavailable(refusal.Message, refusal.RetryAfter);
            var status = await captures.StartAsync(id, source, cancellationToken: cancellationToken);
            return Results.Created($"/api/streams/{id}", status);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(e.Message);
        }
        catch (StreamConflictException e)
        {
            return Problems.Conflict(e.Message);
        }
    }

    /// <summary>
    /// Embedded serve: how the stream is analysed (Playlist's view, from its segment records) joins Ingest's view; a running
    /// stream analysed below DETECT_FPS shows as <c>degraded</c>. A distributed Ingest has no such view and answers for
    /// capture only; Playlist's <c>GET /api/streams/{id}</c> carries it there.
    /// </summary>
    private static StreamStatus WithAnalysis(StreamStatus status, HttpContext http) =>
        http.RequestServices.GetService<PlaylistBuilder>() is { } playlists && StreamId.TryParse(status.Id, out var id)
        && playlists.TryGet(id, out _, out var index) && index.LatestAnalysis() is { } analysis
            ? status with
            {
                State = status.State == StreamDescriptor.Running && analysis.Degraded ? StreamAnalysis.DegradedState : status.State,
                AnalysedFps = analysis.AnalysedFps,
                DetectFps = analysis.DetectFps,
            }
            : status;

    private static async Task<IResult> DeleteAsync(string id, StreamCaptures captures)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        return await captures.StopAsync(streamId) ? Results.NoContent() : Problems.NotFound($"No stream '{streamId}'.");
    }
}
