using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace DaprVideo.ServiceDefaults;

/// <summary>How every DaprVideo host runs: until SIGTERM, Ctrl+C (SIGINT) or the caller's token, then a graceful stop.</summary>
public static class HostLifetimeExtensions
{
    /// <summary>
    /// Starts <paramref name="app"/>, runs <paramref name="started"/> (given a token that ends when the host stops), and
    /// waits until the host is told to stop: SIGTERM or SIGINT (the host's console lifetime turns both into a stop
    /// request) or <paramref name="cancellationToken"/>. Then stops it, so hosted services and the modules' disposals
    /// run (capture loops end, streams are recorded) before the process exits.
    /// </summary>
    public static async Task RunUntilStoppedAsync(this WebApplication app, Func<CancellationToken, Task>? started = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync(cancellationToken);
        if (started is not null)
        {
            using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            try
            {
                await started(running.Token);
            }
            catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Told to stop (SIGTERM) while still starting up: stop as usual below.
            }
        }
        await app.WaitForShutdownAsync(cancellationToken);
    }
}
