using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;
using DaprVideo.Core.Media;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Ingest;
using DaprVideo.Ingest.Apis;
using DaprVideo.Playlist;
using DaprVideo.Playlist.Apis;
using DaprVideo.Playlist.Viewer;
using DaprVideo.Standalone.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Standalone.Commands;

/// <summary>
/// <c>serve [--port 8080] [--data dir] [--demo]</c>: the whole system in one process with the HTTP
/// API, HLS and the viewer. With --demo it synthesises a clip from the bundled photos and streams it.
/// </summary>
public static class ServeCommand
{
    public const string Usage = "serve [--port 8080] [--host 127.0.0.1] [--data ./data] [--media dir] [--demo] [--detector onnx|tfserving --tf-serving-url URL]";
    public const string DemoId = "demo";
    private static readonly string[] DemoPhotos = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png"];

    public static async Task<int> RunAsync(CommandArguments args, PipelineSettings settings, SettingsReader env, TextWriter stdout, CancellationToken cancellationToken)
    {
        var port = args.IntOption("port", 0, 65535) ?? 8080;
        var host = args.Option("host") ?? "127.0.0.1";
        var data = Path.GetFullPath(args.Option("data") ?? "data");
        var media = args.Option("media");
        var demo = args.Flag("demo");
        settings = settings.WithDetectorArguments(args, env);
        args.EnsureNoneLeft(0);
        if (!System.Net.IPAddress.TryParse(host, out _) && host != "localhost")
            throw new UsageException($"--host must be an IP address or localhost, not '{host}'.");

        // --media takes MEDIA_DIRS' place; the environment's value is checked by the reader.
        var mediaDirs = media is null
            ? env.List(SettingsCatalogue.MediaDirs)
            : media.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFullPath).ToList();
        var ingestOptions = new IngestOptions
        {
            SegmentSeconds = settings.SegmentSeconds,
            MediaDirectories = mediaDirs,
            ApiKey = env.Text(SettingsCatalogue.ApiKey),
            MaxStreams = env.WholeNumber(SettingsCatalogue.MaxStreams),
            ScratchDirectory = Path.Combine(data, ".scratch"),
        };
        try { ingestOptions.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); } // a --media entry

        await using var app = await BuildAsync(settings, ingestOptions, data, host, port, LogLevels.Read(env));
        await app.StartAsync(cancellationToken);
        var address = app.Urls.First();
        await stdout.WriteLineAsync($"DaprVideo is serving on {address} (data in {data}). Press Ctrl+C to stop.");

        if (demo)
        {
            await StartDemoAsync(app.Services, data, cancellationToken);
            await stdout.WriteLineAsync($"Demo stream: open {address}/?stream={DemoId}");
        }
        try { await Task.Delay(Timeout.Infinite, cancellationToken); }
        catch (OperationCanceledException) { /* Ctrl+C */ }
        await app.StopAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>The web host with every module wired to the embedded pipeline; also used by tests.</summary>
    /// <param name="logLevel">LOG_LEVEL: our own lines at this level, ASP.NET Core's per-request lines only at Debug.</param>
    public static async Task<WebApplication> BuildAsync(PipelineSettings settings, IngestOptions ingestOptions, string data, string host, int port,
        LogLevel logLevel = LogLevel.Information)
    {
        Directory.CreateDirectory(ingestOptions.ScratchDirectory);
        var pipeline = new EmbeddedPipeline(settings, data, vodOnly: false);
        await pipeline.Playlists.RebuildAsync();

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddDaprVideoLogLevels(logLevel);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(pipeline);
        builder.Services.AddSingleton<IObjectStore>(pipeline.Store);
        builder.Services.AddSingleton(pipeline.Playlists);
        builder.Services.AddSingleton(pipeline.PlaylistOptions);
        builder.Services.AddHostedService<StalledPlaylistSweeper>();
        builder.Services.AddSingleton(pipeline.Ingestor);
        builder.Services.AddSingleton(ingestOptions);
        builder.Services.AddSingleton(new SourcePolicy(ingestOptions.MediaDirectories));
        builder.Services.AddSingleton(new StreamRegistry(pipeline.Store));
        builder.Services.AddSingleton<StreamManager>();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapStreamsApi(ingestOptions.ApiKey);
        app.MapPlaylistApi();
        app.MapViewer();
        return app;
    }

    private static async Task StartDemoAsync(IServiceProvider services, string data, CancellationToken cancellationToken)
    {
        // The demo is ours to regenerate: a fresh clip and a fresh stream on every start.
        var id = StreamId.Parse(DemoId);
        var store = services.GetRequiredService<IObjectStore>();
        foreach (var key in await store.ListAsync(ObjectKeys.StreamPrefix(id), cancellationToken))
            await store.DeleteAsync(key, cancellationToken);

        var clip = Path.Combine(data, ".demo", "demo.mp4");
        Directory.CreateDirectory(Path.GetDirectoryName(clip)!);
        var photos = DemoPhotos
            .Select(p => Path.Combine(AppContext.BaseDirectory, "demo", p)).ToList();
        await StillsClip.CreateAsync(photos, clip, secondsEach: 6, cancellationToken: cancellationToken);
        await services.GetRequiredService<StreamManager>().StartAsync(id, VideoSource.Parse(clip), simulateLive: true, cancellationToken);
    }
}
