using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DaprVideo.Core;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Search;
using DaprVideo.Core.Streams;
using DaprVideo.Playlist.Viewer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Tests.Browser;

/// <summary>
/// A test-only stand-in for <c>serve</c>: Kestrel on 127.0.0.1 with <see cref="ViewerEndpoints.MapViewer"/>, the
/// finished streams of a <c>process --out</c> directory as static files under <c>/streams/{id}/</c>, and the
/// viewer's read API built from their segment records. Every stream here is ended; <c>live.m3u8</c> is the VOD playlist.
/// </summary>
public sealed class ViewerTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ViewerTestHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<ViewerTestHost> StartAsync(string dataDirectory)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();

        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".m3u8"] = "application/vnd.apple.mpegurl";
        types.Mappings[".ts"] = "video/mp2t";
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(dataDirectory),
            RequestPath = "/streams",
            ContentTypeProvider = types,
        });

        app.MapViewer();

        app.MapGet("/streams/{id}/live.m3u8", (string id) =>
            Find(dataDirectory, id) is { } dir ? Results.File(Path.Combine(dir, "index.m3u8"), "application/vnd.apple.mpegurl") : NotFound(id));

        app.MapGet("/api/streams", () =>
        {
            var list = new JsonArray();
            foreach (var dir in Directory.EnumerateDirectories(dataDirectory).Order(StringComparer.Ordinal))
                if (StreamId.TryParse(Path.GetFileName(dir), out var id) && Load(dir, id) is { } index) list.Add(Describe(id, index));
            return Results.Text(list.ToJsonString(), "application/json");
        });

        app.MapGet("/api/streams/{id}", (string id) => WithIndex(dataDirectory, id, (sid, index) =>
            Results.Text(Describe(sid, index).ToJsonString(), "application/json")));

        app.MapGet("/api/streams/{id}/timeline", (string id) => WithIndex(dataDirectory, id, (_, index) =>
            Results.Json(index.Timeline(), CoreJsonContext.Default.IReadOnlyListSegmentSummary)));

        app.MapGet("/api/streams/{id}/labels", (string id) => WithIndex(dataDirectory, id, (_, index) =>
            Results.Json(index.Labels(), CoreJsonContext.Default.IReadOnlyListString)));

        app.MapGet("/api/streams/{id}/detections", (string id, string? label, double? from, double? to) => WithIndex(dataDirectory, id, (_, index) =>
            from is { } f && to is { } t && t < f
                ? Results.Problem(statusCode: 400, title: "Empty time range", detail: $"from {f} s is after to {t} s.")
                : Results.Json(index.Query(label, from, to), CoreJsonContext.Default.IReadOnlyListDetectionLine)));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ViewerTestHost(app, new Uri(address));
    }

    private static IResult WithIndex(string dataDirectory, string id, Func<StreamId, DetectionIndex, IResult> answer)
    {
        if (!StreamId.TryParse(id, out var sid))
            return Results.Problem(statusCode: 400, title: "Invalid stream id", detail: "Use 1-63 characters of a-z, 0-9, '_' or '-'.");
        return Find(dataDirectory, id) is { } dir && Load(dir, sid) is { } index ? answer(sid, index) : NotFound(id);
    }

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: 404, title: "Stream not found", detail: $"There is no stream '{id}'.");

    private static string? Find(string dataDirectory, string id) =>
        StreamId.TryParse(id, out var sid) && Directory.Exists(Path.Combine(dataDirectory, sid.Value)) ? Path.Combine(dataDirectory, sid.Value) : null;

    /// <summary>The stream's detection index from its segment records; null when it has none.</summary>
    private static DetectionIndex? Load(string streamDirectory, StreamId id)
    {
        var segments = Path.Combine(streamDirectory, "segments");
        if (!Directory.Exists(segments)) return null;
        var index = new DetectionIndex(id);
        foreach (var file in Directory.EnumerateFiles(segments, "*.json"))
            index.Add(SegmentRecord.Parse(File.ReadAllBytes(file)));
        return index;
    }

    private static JsonObject Describe(StreamId id, DetectionIndex index)
    {
        var timeline = index.Timeline();
        return new JsonObject
        {
            ["id"] = id.Value,
            ["source"] = $"{id.Value}.mp4",
            ["state"] = "ended",
            ["error"] = null,
            ["live"] = false,
            ["segments"] = timeline.Count,
            ["durationSeconds"] = Math.Round(timeline.Sum(s => s.DurationSeconds), 3),
            ["startedAt"] = timeline.Count > 0 ? timeline[0].Start.ToString("O", CultureInfo.InvariantCulture) : null,
            ["playlists"] = new JsonObject
            {
                ["live"] = $"/streams/{id.Value}/live.m3u8",
                ["index"] = $"/streams/{id.Value}/index.m3u8",
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
