using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Ingest.Apis;
using DaprVideo.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Ingest;

/// <summary>
/// The Ingest module: stream control API and capture loops over whatever IObjectStore/IEventPublisher the host
/// registered (Dapr host: the sidecar adapters; embedded host: the data folder and the in-process bus).
/// </summary>
public static partial class IngestModule
{
    public const string AppId = "ingest";
    public const int DefaultPort = 5101;

    /// <summary>
    /// Registers the source policy, the stream registry, the ingestor and the stream captures for
    /// <paramref name="options"/> (validated now), and resumes the registry's active streams once the host has started.
    /// </summary>
    public static IServiceCollection AddIngest(this IServiceCollection services, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Directory.CreateDirectory(options.ScratchDirectory);

        services.AddProblemDetails();
        services.AddSingleton(options);
        services.AddSingleton(new SourcePolicy(options.MediaDirectories));
        services.TryAddSingleton(options.CrossOrigin);
        services.AddSingleton(sp => new StreamRegistry(sp.GetRequiredService<IObjectStore>()));
        services.TryAddSingleton(sp => new ChunkIngestor(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IEventPublisher>()));
        services.TryAddSingleton(sp => new StreamCredentials(sp.GetService<ISecretStore>(), sp.GetService<ICredentialStore>()));
        // Claimed when the captures are first needed (at start, by the resumer): a dead Ingest's leftovers go then.
        services.AddSingleton(_ => ScratchArea.Claim(options.ScratchDirectory));
        services.AddSingleton<StreamCaptures>();
        // Admission of new streams: the Inference replicas' stored load records, unless the host knows better (embedded:
        // its in-process AnalysisRateController).
        services.TryAddSingleton<IAdmissionSignal>(sp => new StoredAdmissionSignal(sp.GetRequiredService<IObjectStore>()));
        services.AddSingleton<StreamPurger>();
        services.AddHostedService<StreamResumer>();
        services.AddHostedService<IngestShutdown>();
        return services;
    }

    /// <summary>The control API with problem-details errors (the module on its own host).</summary>
    public static IEndpointRouteBuilder MapIngest(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app.MapStreamsApi(app.Services.GetRequiredService<IngestOptions>().ApiKey);
    }

    /// <summary>Resumes the registry's streams once the app is serving (a sidecar may need a moment: retried).</summary>
    private sealed partial class StreamResumer(StreamCaptures captures, SourcePolicy policy, IHostApplicationLifetime lifetime, ILogger<StreamResumer> logger)
        : BackgroundLoop
    {
        protected override async Task RunAsync(CancellationToken stoppingToken)
        {
            // Resume only once the host is up: a store reached through a sidecar waits for the app.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await started.Task.WaitAsync(stoppingToken);
            const int attempts = 30;
            var resumed = 0;
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                try
                {
                    // The last attempt gives up on streams whose secret store is still unreachable: they are marked failed.
                    var result = await captures.ResumeAsync(policy, giveUp: attempt == attempts, stoppingToken);
                    resumed += result.Resumed;
                    if (result.Waiting == 0)
                    {
                        LogResumed(logger, resumed);
                        return;
                    }
                    LogRetry(logger, attempt, $"{result.Waiting} stream(s) wait for the secret store");
                }
                catch (IOException e)
                {
                    LogRetry(logger, attempt, e.Message);
                }
                if (attempt < attempts) await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
            }
            // The registry stayed unreadable: the streams it records are not shown, and DELETE ends them (StopAsync).
            LogGaveUp(logger, attempts);
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Resumed {Count} stream(s) from the registry")]
        private static partial void LogResumed(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Stream registry not readable yet (attempt {Attempt}): {Error}")]
        private static partial void LogRetry(ILogger logger, int attempt, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "Stream registry still not readable after {Attempts} attempts; streams were not resumed")]
        private static partial void LogGaveUp(ILogger logger, int attempts);
    }

    /// <summary>
    /// Host shutdown, first thing (before Kestrel stops): no stream starts any more (the API answers 503), every capture
    /// loop stops and its stream stays active for the next start, bounded by the host's shutdown timeout (SHUTDOWN_TIMEOUT).
    /// </summary>
    private sealed partial class IngestShutdown(StreamCaptures captures, ILogger<IngestShutdown> logger) : IHostedLifecycleService
    {
        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            try
            {
                await captures.StopAllAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                LogTimedOut(logger);
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Capture loops did not stop within the shutdown timeout (SHUTDOWN_TIMEOUT)")]
        private static partial void LogTimedOut(ILogger logger);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
