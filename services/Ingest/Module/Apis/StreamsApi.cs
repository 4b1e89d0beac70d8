using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

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

    private static async Task<IResult> CreateAsync(StreamRequest? request, StreamCaptures captures, SourcePolicy policy, StreamCredentials credentials,
        IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        // Checked first: a stopping host takes no new work, whatever the body says.
        if (lifetime.ApplicationStopping.IsCancellationRequested || captures.IsStopping) return Problems.Stopping();
        if (request is null) return Problems.BadRequest("Send a JSON body {\"id\": \"...\", \"source\": \"...\"}.");
        if (!StreamId.TryParse(request.Id, out var id)) return Problems.InvalidStreamId(request.Id ?? "");
        if (!VideoSource.TryParse(request.Source, out var source, out var error)) return Problems.BadRequest(error);
        try
        {
            policy.Check(source);
            var requested = await credentials.ApplyAsync(source, request.Credentials, cancellationToken);
            var status = await captures.StartAsync(id, requested, cancellationToken: cancellationToken);
            return Results.Created($"/api/streams/{id}", status);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(source.Redact(e.Message));
        }
        catch (StreamConflictException e)
        {
            return Problems.Conflict(e.Message);
        }
        catch (ServiceStoppingException)
        {
            return Problems.Stopping();
        }
        catch (SecretStoreException e)
        {
            return Problems.Unavailable($"The secret store could not be reached: {e.Message}");
        }
    }

    private static async Task<IResult> DeleteAsync(string id, StreamCaptures captures, IHostApplicationLifetime lifetime)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested || captures.IsStopping) return Problems.Stopping();
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        try
        {
            return await captures.StopAsync(streamId) ? Results.NoContent() : Problems.NotFound($"No stream '{streamId}'.");
        }
        catch (ServiceStoppingException)
        {
            return Problems.Stopping();
        }
    }
}
