using System.Text.Json;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Search;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Ingest.Apis;

/// <summary>The stream control API: <c>/api/streams</c>.</summary>
public static class StreamsApi
{
    public static IEndpointRouteBuilder MapStreamsApi(this IEndpointRouteBuilder app, string? apiKey)
    {
        var streams = app.MapGroup("/api/streams");
        var key = new ApiKeyFilter(apiKey);
        streams.MapReadOnly("/", (StreamCaptures captures, HttpContext http) => Results.Ok(captures.List().Select(s => WithAnalysis(s, http)).ToList()));
        streams.MapReadOnly("/{id}", (string id, StreamCaptures captures, HttpContext http) =>
            !StreamId.TryParse(id, out var streamId) ? Problems.InvalidStreamId(id)
            : captures.Get(streamId) is { } status ? Results.Ok(WithAnalysis(status, http))
            : Problems.NotFound($"No stream '{streamId}'."));
        streams.MapPost("/", CreateAsync).AddEndpointFilter(key);
        streams.MapDelete("/{id}", DeleteAsync).AddEndpointFilter(key);
        return app;
    }

    // The body is read here, not bound as a parameter: binding runs before the API key filter (see ApiKeyFilter).
    private static async Task<IResult> CreateAsync(HttpContext http, StreamCaptures captures, SourcePolicy policy, StreamCredentials credentials,
        IHostApplicationLifetime lifetime, IAdmissionSignal admission, CancellationToken cancellationToken)
    {
        // Checked first: a stopping host takes no new work, whatever the body says.
        if (lifetime.ApplicationStopping.IsCancellationRequested || captures.IsStopping) return Problems.Stopping();
        const string expected = "Send a JSON body {\"id\": \"...\", \"source\": \"...\"}.";
        if (!http.Request.HasJsonContentType()) return Problems.UnsupportedMediaType(expected);
        StreamRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<StreamRequest>(cancellationToken);
        }
        catch (JsonException)
        {
            return Problems.BadRequest($"The body is not valid JSON. {expected}");
        }
        catch (BadHttpRequestException e)
        {
            // Too large, or cut off: Kestrel's own status (413, 400) as binding would have answered.
            return Results.Problem(title: "Bad request body", detail: e.Message, statusCode: e.StatusCode);
        }
        if (request is null) return Problems.BadRequest(expected);
        if (!StreamId.TryParse(request.Id, out var id)) return Problems.InvalidStreamId(request.Id ?? "");
        if (!VideoSource.TryParse(request.Source, out var source, out var error)) return Problems.BadRequest(error);
        StreamRetention? retention = null;
        if (request.Retention is { } asked && !asked.TryParse(out retention, out var retentionError)) return Problems.BadRequest(retentionError);
        if (Zone.Problem(request.Zones) is { } zoneProblem) return Problems.BadRequest(zoneProblem);
        try
        {
            policy.Check(source);
            // Analysis at its floor and still behind: another camera would make every stream late (503, nothing else changes).
            if (await admission.CheckAsync(cancellationToken) is { } refusal) return Problems.Unavailable(refusal.Message, refusal.RetryAfter);
            var requested = await credentials.ApplyAsync(source, request.Credentials, cancellationToken);
            var status = await captures.StartAsync(id, requested, retention, request.Zones, cancellationToken: cancellationToken);
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

    /// <summary>Stops the stream; with <c>?purge=true</c>, deletes an ended stream and all of its data instead (409 while it runs).</summary>
    private static async Task<IResult> DeleteAsync(string id, bool? purge, StreamCaptures captures, StreamPurger purger, IHostApplicationLifetime lifetime,
        CancellationToken cancellationToken)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested || captures.IsStopping) return Problems.Stopping();
        if (!StreamId.TryParse(id, out var streamId)) return Problems.InvalidStreamId(id);
        try
        {
            if (purge != true)
                return await captures.StopAsync(streamId) ? Results.NoContent() : Problems.NotFound($"No stream '{streamId}'.");
            return await purger.PurgeAsync(streamId, cancellationToken) ? Results.NoContent() : Problems.NotFound($"No stream '{streamId}'.");
        }
        catch (StreamConflictException e)
        {
            return Problems.Conflict(e.Message);
        }
        catch (ServiceStoppingException)
        {
            return Problems.Stopping();
        }
    }
}
