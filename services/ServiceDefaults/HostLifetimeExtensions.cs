using DaprVideo.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// How every DaprVideo host runs: until SIGTERM, Ctrl+C (SIGINT) or the caller's token, then a graceful stop bounded by
/// SHUTDOWN_TIMEOUT. The stop, in order: <c>ApplicationStopping</c> fires (the control API answers 503 from then on);
/// the modules' <see cref="IHostedLifecycleService.StoppingAsync"/> run while Kestrel still serves (capture loops stop
/// and leave their streams active, Inference finishes or hands back the chunks in flight); then the hosted services
/// and Kestrel stop and the modules are disposed. The whole stop shares one deadline (HostOptions.ShutdownTimeout).
/// </summary>
public static class HostLifetimeExtensions
{
    /// <summary>Sets the host's shutdown deadline (HostOptions.ShutdownTimeout) to <paramref name="timeout"/>.</summary>
    public static IServiceCollection AddShutdownTimeout(this IServiceCollection services, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "The shutdown timeout must be positive.");
        services.Configure<HostOptions>(o => o.ShutdownTimeout = timeout);
        return services;
    }

    /// <summary>SHUTDOWN_TIMEOUT as a time span (a bad value throws <see cref="SettingsException"/> naming it).</summary>
    public static TimeSpan ShutdownTimeout(this SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return TimeSpan.FromSeconds(settings.Number(SettingsCatalogue.ShutdownTimeout));
    }

    /// <summary>
    /// Starts <paramref name="app"/>, runs <paramref name="started"/> (given a token that ends when the host stops), and
    /// waits until the host is told to stop: SIGTERM or SIGINT (the host's console lifetime turns both into a stop
    /// request) or <paramref name="cancellationToken"/> (a Ctrl+C the caller caught). Then stops it gracefully; a stop
    /// request is never an error, so this returns normally and the process can exit 0.
    /// </summary>
    public static async Task RunUntilStoppedAsync(this WebApplication app, Func<CancellationToken, Task>? started = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The caller's token is a stop request like SIGTERM: everything below sees it as ApplicationStopping.
        using var stopRequest = cancellationToken.Register(() => app.Lifetime.StopApplication());
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Told to stop while still starting: stop what did start.
            await app.StopAsync(CancellationToken.None);
            return;
        }
        if (started is not null)
        {
            using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            try
            {
                await started(running.Token);
            }
            catch (OperationCanceledException) when (running.IsCancellationRequested)
            {
                // Told to stop (SIGTERM, Ctrl+C) while still starting up: stop as usual below.
            }
        }
        // Not WaitForShutdownAsync(cancellationToken): that would cancel the graceful stop itself when the token fires.
        await app.WaitForShutdownAsync(CancellationToken.None);
    }
}
