using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Ingest.Apis;
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
        // Claimed when the captures are first needed (at start, by the resumer): a dead Ingest's leftovers go then.
        services.AddSingleton(_ => ScratchArea.Claim(options.ScratchDirectory));
        services.AddSingleton<StreamCaptures>();
        // Admission of new streams: the Inference replicas' stored load records, unless the host knows better (embedded:
        // its in-process AnalysisRateController).
        services.TryAddSingleton<IAdmissionSignal>(sp => new StoredAdmissionSignal(sp.GetRequiredService<IObjectStore>()));
        services.AddSingleton<StreamPurger>();
        services.AddHostedService<StreamResumer>();
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
        : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            // Resume only once the host is up: a store reached through a sidecar waits for the app.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await started.Task.WaitAsync(stoppingToken);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var resumed = await captures.ResumeAsync(policy, stoppingToken);
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
