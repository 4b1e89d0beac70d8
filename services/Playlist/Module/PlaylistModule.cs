using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Playlist.Apis;
using DaprVideo.Playlist.Viewer;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Playlist;

/// <summary>
/// The Playlist module: segment and stream events in (its host delivers them to <see cref="PlaylistBuilder"/>), HLS,
/// search and the viewer out, over whatever IObjectStore the host registered.
/// </summary>
public static partial class PlaylistModule
{
    public const string AppId = "playlist";
    public const int DefaultPort = 5103;
    public const string SegmentsDeadLetterTopic = "segments-dead";
    public const string StreamsDeadLetterTopic = "streams-dead";
    public const string PurgesDeadLetterTopic = "purges-dead";
    public const string EventsDeadLetterTopic = "events-dead";

    /// <summary>
    /// Registers the playlist builder (unless the host already registered the one its events feed), the store
    /// catch-up when <see cref="PlaylistSettings.FreshnessInterval"/> is set, the stalled-stream sweeper when
    /// <see cref="PlaylistSettings.SkipStalled"/> is, the retention sweeper (always: a stream may bring its own limits),
    /// and the rebuild from the store once the host has started.
    /// </summary>
    public static IServiceCollection AddPlaylist(this IServiceCollection services, PlaylistSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        services.AddProblemDetails();
        services.AddSingleton(settings);
        services.AddSingleton(settings.Builder);
        services.TryAddSingleton(settings.CrossOrigin);
        services.TryAddSingleton(sp => new PlaylistBuilder(sp.GetRequiredService<IObjectStore>(), settings.Builder, sp.GetRequiredService<TimeProvider>()));
        if (settings.FreshnessInterval is { } interval)
            services.AddSingleton(sp => new PlaylistFreshness(sp.GetRequiredService<PlaylistBuilder>(), interval));
        if (settings.SkipStalled)
            services.AddHostedService<StalledPlaylistSweeper>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService(sp => new RetentionSweeper(sp.GetRequiredService<PlaylistBuilder>(), settings.RetentionInterval,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RetentionSweeper>>()));
        services.AddSingleton<PlaylistRebuild>();
        services.AddHostedService(sp => sp.GetRequiredService<PlaylistRebuild>());
        services.AddHealthChecks().AddCheck<PlaylistRebuild>("playlist-rebuilt");
        return services;
    }

    /// <summary>The module on its own host: HLS, search, the stream directory and the viewer, with problem-details errors.</summary>
    public static WebApplication MapPlaylist(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapPlaylistApi();
        app.MapStreamDirectory();
        app.MapViewer();
        return app;
    }

    /// <summary>
    /// Rebuilds every stream from the store once the host is up (a store behind a sidecar waits for the app),
    /// retrying while it is not ready; readiness stays unhealthy until it is done. Events that arrive meanwhile
    /// are applied as usual: both paths are idempotent and order-independent.
    /// </summary>
    internal sealed partial class PlaylistRebuild(PlaylistBuilder playlists, IHostApplicationLifetime lifetime, ILogger<PlaylistRebuild> logger)
        : BackgroundLoop, IHealthCheck
    {
        private volatile bool _done;

        protected override async Task RunAsync(CancellationToken stoppingToken)
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
