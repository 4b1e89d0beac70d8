using DaprVideo.Core.Pipeline;
using DaprVideo.ServiceDefaults;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Playlist;

/// <summary>
/// Applies retention on a timer (<see cref="PlaylistBuilder.ApplyRetentionAsync"/>): every replica runs one, and
/// they need no coordination (why: the remarks of <see cref="PlaylistBuilder"/>). The clock is a
/// <see cref="TimeProvider"/>, so tests drive it with a fake one. A failed sweep (store unreachable) is logged
/// and tried again on the next tick.
/// </summary>
public sealed partial class RetentionSweeper(PlaylistBuilder playlists, TimeSpan interval, TimeProvider timeProvider, ILogger<RetentionSweeper> logger)
    : BackgroundLoop
{
    /// <summary>Retention limits are seconds at the finest; a sweep every few seconds keeps to them closely enough.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var removed = await playlists.ApplyRetentionAsync(stoppingToken);
                if (removed > 0) LogRemoved(logger, removed);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException)
            {
                LogFailed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Count} segment(s)")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep failed, trying again next tick: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
