using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Ingest.Apis;
using DaprVideo.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Ingest;

/// <summary>The Ingest module: stream control API and capture loops over whatever IObjectStore/IEventPublisher the host registered.</summary>
public static partial class IngestModule
{
    public const string AppId = "ingest";
    public const int DefaultPort = 5101;

    /// <summary>
    /// Reads and validates SEGMENT_SECONDS, API_KEY, MEDIA_DIRS, MAX_STREAMS (and INGEST_SCRATCH_DIR, default a
    /// temp folder), registers the registry, the ingestor and the stream manager, and resumes the registry's
    /// active streams once the host has started.
    /// </summary>
    public static WebApplicationBuilder AddIngest(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = new SettingsReader(builder.Configuration);
        var options = new IngestOptions
        {
            SegmentSeconds = settings.Number(SettingsCatalogue.SegmentSeconds),
            MediaDirectories = settings.List(SettingsCatalogue.MediaDirs),
            ApiKey = settings.Text(SettingsCatalogue.ApiKey),
            MaxStreams = settings.WholeNumber(SettingsCatalogue.MaxStreams),
            ScratchDirectory = ScratchDirectory(settings),
            ResumeStreams = true,
        };
        // The reader has checked every value against the catalogue; this only guards the options' own invariants.
        options.Validate();

        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new SourcePolicy(options.MediaDirectories));
        builder.Services.AddSingleton(sp => new StreamRegistry(sp.GetRequiredService<IObjectStore>()));
        builder.Services.AddSingleton(sp => new ChunkIngestor(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IEventPublisher>()));
        builder.Services.AddSingleton<StreamManager>();
        builder.Services.AddHostedService<StreamResumer>();
        return builder;
    }

    /// <summary>INGEST_SCRATCH_DIR (default a temp folder), created now so a bad path stops the host at start.</summary>
    private static string ScratchDirectory(SettingsReader settings)
    {
        var setting = SettingsCatalogue.IngestScratchDir;
        var path = settings.Text(setting, Path.Combine(Path.GetTempPath(), "daprvideo-ingest"));
        try
        {
            return Directory.CreateDirectory(Path.GetFullPath(path)).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SettingsException(setting.Name, $"cannot create '{path}': {e.Message}", e);
        }
    }

    public static IEndpointRouteBuilder MapIngest(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app.MapStreamsApi(app.Services.GetRequiredService<IngestOptions>().ApiKey);
    }

    /// <summary>Resumes the registry's streams once the app is serving (the sidecar may need a moment: retried).</summary>
    private sealed partial class StreamResumer(StreamManager manager, SourcePolicy policy, IHostApplicationLifetime lifetime, ILogger<StreamResumer> logger)
        : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            // Resume only once the host is up: the store is reached through the sidecar, which waits for the app.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await started.Task.WaitAsync(stoppingToken);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var resumed = await manager.ResumeAsync(policy, stoppingToken);
                    LogResumed(logger, resumed);
                    return;
                }
                catch (IOException e) when (attempt < 30)
                {
                    LogRetry(logger, attempt, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
                }
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Resumed {Count} stream(s) from the registry")]
        private static partial void LogResumed(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Stream registry not readable yet (attempt {Attempt}): {Error}")]
        private static partial void LogRetry(ILogger logger, int attempt, string error);
    }
}
