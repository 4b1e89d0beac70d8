using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.DaprAdapters;
using DaprVideo.Playlist.Apis;
using DaprVideo.Playlist.Viewer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Playlist;

/// <summary>The Playlist module as a service: segment and stream events in, HLS, search and the viewer out.</summary>
public static partial class PlaylistModule
{
    public const string AppId = "playlist";
    public const int DefaultPort = 5103;
    public const string SegmentsDeadLetterTopic = "segments-dead";
    public const string StreamsDeadLetterTopic = "streams-dead";

    /// <summary>Reads <see cref="PlaylistSettings"/> (validated now); registers the builder, the store catch-up and the start-up rebuild.</summary>
    public static WebApplicationBuilder AddPlaylist(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = PlaylistSettings.From(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => new PlaylistBuilder(sp.GetRequiredService<IObjectStore>(), settings.Builder));
        builder.Services.AddSingleton(sp => new PlaylistFreshness(sp.GetRequiredService<PlaylistBuilder>(), settings.FreshnessInterval));
        builder.Services.AddSingleton<PlaylistRebuild>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PlaylistRebuild>());
        builder.Services.AddHealthChecks().AddCheck<PlaylistRebuild>("playlist-rebuilt");
        return builder;
    }

    /// <summary>Subscribes <c>segments</c> and <c>streams</c> (with dead-letter topics); maps HLS, search, the stream directory and the viewer.</summary>
    public static WebApplication MapPlaylist(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapEventSubscription<SegmentAnnotated>(Topics.Segments,
            (segment, services, ct) => services.GetRequiredService<PlaylistBuilder>().OnSegmentAsync(segment, ct), SegmentsDeadLetterTopic);
        app.MapEventSubscription<StreamEnded>(Topics.Streams,
            (ended, services, ct) => services.GetRequiredService<PlaylistBuilder>().OnStreamEndedAsync(ended, ct), StreamsDeadLetterTopic);
        app.MapPlaylistApi();
        app.MapStreamDirectory();
        app.MapViewer();
        return app;
    }

    /// <summary>
    /// Rebuilds every stream from the store once the host is up (the store is behind the sidecar), retrying
    /// while the sidecar is not ready; readiness stays unhealthy until it is done. Events that arrive meanwhile
    /// are applied as usual: both paths are idempotent and order-independent.
    /// </summary>
    internal sealed partial class PlaylistRebuild(PlaylistBuilder playlists, IHostApplicationLifetime lifetime, ILogger<PlaylistRebuild> logger)
        : BackgroundService, IHealthCheck
    {
        private volatile bool _done;

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await started.Task.WaitAsync(stoppingToken);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await playlists.RebuildAsync(stoppingToken);
                    _done = true;
                    LogRebuilt(logger, playlists.Streams.Count);
                    return;
                }
                catch (IOException e)
                {
                    LogRetry(logger, attempt, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
                }
            }
        }

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(_done ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Playlists are still being rebuilt from the object store."));

        [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt {Count} stream(s) from the object store")]
        private static partial void LogRebuilt(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuild from the object store failed (attempt {Attempt}): {Error}")]
        private static partial void LogRetry(ILogger logger, int attempt, string error);
    }
}
