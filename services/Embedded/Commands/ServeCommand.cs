using System.Net;
using System.Net.Sockets;
using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Embedded.Cli;
using DaprVideo.Embedded.Notifications;
using DaprVideo.Inference;
using DaprVideo.Ingest;
using DaprVideo.Ingest.Apis;
using DaprVideo.Media.Capture;
using DaprVideo.Playlist;
using DaprVideo.Playlist.Apis;
using DaprVideo.Playlist.Viewer;
using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Embedded.Commands;

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
        if (!IPAddress.TryParse(host, out _) && host != "localhost")
            throw new UsageException($"--host must be an IP address or localhost, not '{host}'.");
        // EVENTS_WEBHOOK_URL is checked before anything starts: a bad one stops serve with one line naming it.
        var webhook = WebhookOptions.From(env);

        // The Ingest module's own settings (MEDIA_DIRS, API_KEY, MAX_STREAMS, SEGMENT_SECONDS); --media takes MEDIA_DIRS' place.
        var ingestOptions = IngestOptions.FromSettings(env, scratchDirectory: Path.Combine(data, ".scratch")) with { SegmentSeconds = settings.SegmentSeconds };
        if (media is not null)
            ingestOptions = ingestOptions with { MediaDirectories = media.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFullPath).ToList() };
        try { ingestOptions.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); } // a --media entry

        // A taken port is the user's to fix: said in one line before anything starts (Kestrel's own bind failure comes
        // after the host has logged it with a stack trace).
        if (port != 0) EnsurePortFree(host, port);

        // The demo is ours to regenerate: its old stream goes before the host starts, so neither the stream resume nor
        // the playlist rebuild sees it.
        if (demo) await DeleteDemoStreamAsync(data, cancellationToken);

        await using var app = await BuildAsync(settings, ingestOptions, data, host, port, LogLevels.Read(env), demo: demo,
            shutdownTimeout: env.ShutdownTimeout(), webhook: webhook);
        await app.RunUntilStoppedAsync(async running =>
        {
            var address = app.Urls.First();
            await stdout.WriteLineAsync($"DaprVideo is serving on {address} (data in {data}). Press Ctrl+C to stop.");
            if (demo)
            {
                await StartDemoAsync(app.Services, data, running);
                await stdout.WriteLineAsync($"Demo stream: open {address}/?stream={DemoId}");
            }
        }, cancellationToken);
        return 0;
    }

    /// <summary>
    /// The web host composing the Ingest and Playlist modules (as their Dapr hosts do) on the embedded pipeline: the
    /// data folder as object store, the in-process bus as publisher. Also used by tests.
    /// </summary>
    /// <param name="logLevel">LOG_LEVEL: our own lines at this level, ASP.NET Core's per-request lines only at Debug.</param>
    /// <param name="crossOrigin">CORS_ALLOWED_ORIGINS (null: same origin only).</param>
    /// <param name="demo">The demo stream is regenerated under the same keys on every start: its segments are not immutable.</param>
    /// <param name="shutdownTimeout">SHUTDOWN_TIMEOUT: how long the graceful stop may take (default 20 s).</param>
    /// <param name="detector">Instead of the detector the settings name (tests and benchmarks: a deliberately slow one).</param>
    /// <param name="webhook">EVENTS_WEBHOOK_URL: started and ended events are POSTed there (<see cref="WebhookNotifier"/>); null: none.</param>
    /// <remarks>
    /// Streams live across restarts: a stop (SIGTERM, Ctrl+C) leaves them active for the next start on the same data
    /// folder; inline credentials are kept in <c>&lt;data&gt;/.secrets/credentials.json</c> (0600) for that; chunks not yet
    /// annotated stay in <c>&lt;data&gt;/.journal</c> and are annotated at the next start.
    /// </remarks>
    public static Task<WebApplication> BuildAsync(PipelineSettings settings, IngestOptions ingestOptions, string data, string host, int port,
        LogLevel logLevel = LogLevel.Information, CrossOriginPolicy? crossOrigin = null, bool demo = false, TimeSpan? shutdownTimeout = null,
        IObjectDetector? detector = null, WebhookOptions? webhook = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ingestOptions);
        var pipeline = new EmbeddedPipeline(settings, data, vodOnly: false, journal: true, detector);
        var analysis = pipeline.Analysis!;

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddDaprVideoLogLevels(logLevel);
        var timeout = shutdownTimeout ?? TimeSpan.FromSeconds(SettingsCatalogue.ShutdownTimeout.Default);
        builder.Services.AddShutdownTimeout(timeout);
        // The in-process adapters behind the modules' ports; the pipeline's playlist builder is the one its bus feeds.
        // Registered through a factory so the container disposes it; resolved first after Build (below), so that is last.
        builder.Services.AddSingleton(_ => pipeline);
        builder.Services.AddSingleton<IObjectStore>(pipeline.Store);
        builder.Services.AddSingleton<IEventPublisher>(pipeline.Bus);
        builder.Services.AddSingleton(pipeline.Ingestor);
        builder.Services.AddSingleton(pipeline.Playlists);
        builder.Services.AddSingleton<ICredentialStore>(_ => new FileCredentialStore(FileCredentialStore.PathIn(data)));
        // One process: new streams are admitted by the pipeline's own analysis rate, whose changes are logged.
        builder.Services.AddSingleton<IAdmissionSignal>(analysis);
        builder.Services.AddHostedService(sp => new AnalysisLoadReporter(analysis, store: null, sp.GetRequiredService<ILogger<AnalysisLoadReporter>>()));
        // One policy for both modules' read-only routes (the stream list and HLS).
        crossOrigin ??= ingestOptions.CrossOrigin;
        builder.Services.AddIngest(ingestOptions with { CrossOrigin = crossOrigin, ResumeStreams = true });
        builder.Services.AddHostedService(sp => new EmbeddedLifecycle(
            sp.GetRequiredService<EmbeddedPipeline>(), sp.GetRequiredService<StreamCaptures>(), timeout,
            sp.GetRequiredService<ILogger<EmbeddedLifecycle>>()));
        // One process applies every event itself: no catch-up with the store, but stalled streams move on.
        builder.Services.AddPlaylist(new PlaylistSettings(pipeline.PlaylistOptions, FreshnessInterval: null)
        {
            SkipStalled = true,
            CrossOrigin = crossOrigin,
            RegeneratedStreams = demo ? new HashSet<StreamId> { StreamId.Parse(DemoId) } : new HashSet<StreamId>(),
        });

        // Notifications: queued by the bus handler, sent by the notifier's own worker; stopped after the pipeline drained
        // (hosted StopAsync runs after EmbeddedLifecycle's StoppingAsync), so the events of the last chunks go out too.
        if (webhook is not null)
        {
            builder.Services.AddSingleton(sp => new WebhookNotifier(webhook, sp.GetRequiredService<ILogger<WebhookNotifier>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookNotifier>());
        }

        var app = builder.Build();
        // The container disposes in reverse order of creation: the bus must outlive the capture loops that publish on it.
        app.Services.GetRequiredService<EmbeddedPipeline>();
        if (webhook is not null)
            pipeline.Bus.Subscribe<TrackEventChanged>(Topics.Events, app.Services.GetRequiredService<WebhookNotifier>().OnChangeAsync);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapStreamsApi(ingestOptions.ApiKey);
        app.MapPlaylistApi();
        app.MapViewer();
        return Task.FromResult(app);
    }

    private static void EnsurePortFree(string host, int port)
    {
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // As Kestrel binds on Linux: a port left in TIME_WAIT by an earlier serve is free, one being listened on is not.
        probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            probe.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new UsageException($"Port {port} on {host} is already in use (another serve?): stop it, or choose another port with --port.");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new UsageException($"--host {host} is not an address of this machine.");
        }
    }

    private static async Task DeleteDemoStreamAsync(string data, CancellationToken cancellationToken)
    {
        var store = new FileObjectStore(data, EmbeddedPipeline.StreamsPrefix);
        var id = StreamId.Parse(DemoId);
        foreach (var key in await store.ListAsync(ObjectKeys.StreamPrefix(id), cancellationToken))
            await store.DeleteAsync(key, cancellationToken);
        new ChunkJournal(data).Forget(DemoId);
    }

    /// <summary>
    /// A fresh clip and a fresh stream (the old stream was deleted before the host started), played in a loop at its
    /// own pace: a live camera until serve stops. Also used by tests, with short stills.
    /// </summary>
    public static async Task StartDemoAsync(IServiceProvider services, string data, CancellationToken cancellationToken, double secondsEach = 6)
    {
        ArgumentNullException.ThrowIfNull(services);
        var id = StreamId.Parse(DemoId);
        var clip = Path.Combine(data, ".demo", "demo.mp4");
        Directory.CreateDirectory(Path.GetDirectoryName(clip)!);
        var photos = DemoPhotos
            .Select(p => Path.Combine(AppContext.BaseDirectory, "demo", p)).ToList();
        await StillsClip.CreateAsync(photos, clip, secondsEach: secondsEach, cancellationToken: cancellationToken);
        await services.GetRequiredService<StreamCaptures>().StartAsync(id, VideoSource.Parse(clip).Looped(), simulateLive: true, cancellationToken);
    }
}
