using Microsoft.Extensions.Hosting;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// A <see cref="BackgroundService"/> whose cancellation is never a failure. The generic host forgives an
/// OperationCanceledException only once its StopAsync has begun; a host that failed to start (its port taken) or was
/// disposed without a stop cancels its services too, and each one still waiting was logged as "BackgroundService
/// failed" and, at critical, "the IHost instance is stopping", after the real error (seen with `serve` on a taken port).
/// </summary>
public abstract class BackgroundLoop : BackgroundService
{
    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped, one way or another.
        }
    }

    /// <summary>The service's work, until <paramref name="stoppingToken"/>.</summary>
    protected abstract Task RunAsync(CancellationToken stoppingToken);
}
