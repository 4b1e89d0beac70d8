using DaprVideo.Core.Pipeline;
using DaprVideo.ServiceDefaults;
using Microsoft.Extensions.Hosting;

namespace DaprVideo.Playlist;

/// <summary>
/// Every few seconds, lets streams that wait in vain for a lost segment move on (see
/// <see cref="PlaylistBuilder.SkipStalledAsync"/>). Quiet means ten segment lengths, at least 30 s.
/// </summary>
public sealed class StalledPlaylistSweeper(PlaylistBuilder playlists, PlaylistBuilderOptions options) : BackgroundLoop
{
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var quiet = TimeSpan.FromSeconds(Math.Max(30, 10 * options.Playlist.SegmentSeconds));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await playlists.SkipStalledAsync(quiet, stoppingToken);
    }
}
