using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprVideo.Ingest.Apis;

/// <summary>The stream control API: <c>/api/streams</c>.</summary>
public static class StreamsApi
{
    public static IEndpointRouteBuilder MapStreamsApi(this IEndpointRouteBuilder app, string? apiKey)
    {
        var streams = app.MapGroup("/api/streams");
        var key = new ApiKeyFilter(apiKey);
        streams.MapGet("/", (StreamCaptures captures) => Results.Ok(captures.List()));
        streams.MapGet("/{id}", (string id, StreamCaptures captures) =>
            !StreamId.TryParse(id, out var streamId) ? Problems.InvalidStreamId(id)
            : captures.Get(streamId) is { } status ? Results.Ok(status)
            : Problems.NotFound($"No stream '{streamId}'."));
        streams.MapPost("/", CreateAsync).AddEndpointFilter(key);
        streams.MapDelete("/{id}", DeleteAsync).AddEndpointFilter(key);
        return app;
    }

    private static async Task<IResult> CreateAsync(StreamRequest? request, StreamCaptures captures, SourcePolicy policy, CancellationToken cancellationToken)
    {
        if (request is null) return Problems.BadRequest("Send a JSON body {\"id\": \"...\", \"source\": \"...\"}.");
        if (!StreamId.TryParse(request.Id, out var id)) return Problems.InvalidStreamId(request.Id ?? "");
        if (!VideoSource.TryParse(request.Source, out var source, out var error)) return Problems.BadRequest(error);
        try
        {
            policy.Check(source);
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

    private static async Task<IResult> DeleteAsync(string id, StreamCaptures captures)
    {
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        return await captures.StopAsync(streamId) ? Results.NoContent() : Problems.NotFound($"No stream '{streamId}'.");
    }
}
