using DaprVideo.Core.Ports;
using DaprVideo.Embedded;
using DaprVideo.Embedded.Commands;
using DaprVideo.Ingest;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;

namespace DaprVideo.Tests.Embedded;

/// <summary>The real <c>serve</c> host on a loopback port with a private data folder and media folder.</summary>
public sealed class ServeHost : IAsyncDisposable
{
    private readonly TempDirectory _tmp = new();
    private WebApplication? _app;

    public string Data => _tmp.File("data");
    public string Media => _tmp.File("media");
    public HttpClient Http { get; private set; } = null!;
    public WebApplication App => _app!;

    /// <param name="prepareData">Fills the data folder before the host starts (what an earlier run left there).</param>
    /// <param name="corsOrigins">CORS_ALLOWED_ORIGINS' value.</param>
    /// <param name="demo">Built as <c>serve --demo</c> builds it (the demo stream's segments revalidated).</param>
    /// <param name="configureIngest">Changes the Ingest options (camera timeouts, MAX_STREAMS) before the host starts.</param>
    /// <param name="webhook">EVENTS_WEBHOOK_URL's notifier.</param>
    /// <param name="detector">Instead of the shipped model (e.g. a deliberately slow one); with it DETECT_FPS and its floor may be set.</param>
    public static async Task<ServeHost> StartAsync(double segmentSeconds = 1, string? apiKey = null, Func<string, Task>? prepareData = null,
        string? corsOrigins = null, bool demo = false, Func<IngestOptions, IngestOptions>? configureIngest = null,
        IObjectDetector? detector = null, double detectFps = 2, double? detectFpsMin = null, DaprVideo.Embedded.Notifications.WebhookOptions? webhook = null)
    {
        var host = new ServeHost();
        Directory.CreateDirectory(host.Media);
        if (prepareData is not null) await prepareData(host.Data);
        var settings = new PipelineSettings(segmentSeconds, DetectFps: detectFps, BatchSize: 4, BatchTimeoutMs: 20, Debug: false,
            new DetectorSettings(RepoPaths.Model, Threads: 2, ScoreThreshold: 0.5f), DetectFpsMin: detectFpsMin);
        var ingest = new IngestOptions
        {
            SegmentSeconds = segmentSeconds,
            MediaDirectories = [host.Media],
            ApiKey = apiKey,
            ScratchDirectory = Path.Combine(host.Data, ".scratch"),
        };
        if (configureIngest is not null) ingest = configureIngest(ingest);
        host._app = await ServeCommand.BuildAsync(settings, ingest, host.Data, "127.0.0.1", 0,
            crossOrigin: CrossOriginPolicy.Parse(corsOrigins), demo: demo, detector: detector, webhook: webhook);
        await host._app.StartAsync();
        host.Http = new HttpClient { BaseAddress = new Uri(host._app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        _tmp.Dispose();
    }
}
