using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;
using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;
using Microsoft.Extensions.Configuration;

namespace DaprVideo.Playlist;

/// <summary>Playlist's settings (SEGMENT_SECONDS, CORS_ALLOWED_ORIGINS, RETENTION_MAX_AGE, RETENTION_MAX_BYTES), read and validated once at start.</summary>
/// <param name="Builder">The playlist builder's options.</param>
/// <param name="FreshnessInterval">
/// How often a stream is caught up with the store before answering for it (replicas that each get only some events);
/// null where one process applies every event itself (embedded).
/// </param>
public sealed record PlaylistSettings(PlaylistBuilderOptions Builder, TimeSpan? FreshnessInterval)
{
    /// <summary>
    /// Let a stream that waits in vain for a lost segment move on after a quiet spell (<see cref="StalledPlaylistSweeper"/>).
    /// Embedded only: it depends on each replica's clock, so replicas would stop agreeing byte for byte.
    /// </summary>
    public bool SkipStalled { get; init; }

    /// <summary>Origins that may read HLS, search and stream state from other sites (CORS_ALLOWED_ORIGINS; default none).</summary>
    public CrossOriginPolicy CrossOrigin { get; init; } = CrossOriginPolicy.Off;

    /// <summary>
    /// Streams whose host rewrites their segments under the same keys (serve --demo makes its clip anew on every
    /// start): their segments are revalidated (<c>no-cache</c>) instead of cached as immutable.
    /// </summary>
    public IReadOnlySet<StreamId> RegeneratedStreams { get; init; } = new HashSet<StreamId>();

    /// <summary>
    /// Later segments that may wait behind a missing one before it is given up. Distributed Inference finishes
    /// chunks out of order (several replicas, two chunks each), so this is higher than the embedded default:
    /// replicas agree byte for byte as long as no segment is later than this many others.
    /// </summary>
    public const int HoleSkipThreshold = 8;

    /// <summary>How often retention is applied (<see cref="RetentionSweeper"/>); it runs only when some stream may have retention.</summary>
    public TimeSpan RetentionInterval { get; init; } = RetentionSweeper.DefaultInterval;

    /// <summary>The deployment's retention from RETENTION_MAX_AGE and RETENTION_MAX_BYTES (off when both are unset).</summary>
    public static RetentionPolicy Retention(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new RetentionPolicy(settings.Duration(SettingsCatalogue.RetentionMaxAge), settings.ByteSize(SettingsCatalogue.RetentionMaxBytes));
    }

    public static PlaylistSettings From(IConfiguration configuration) => From(new SettingsReader(configuration));

    public static PlaylistSettings From(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var segmentSeconds = settings.Number(SettingsCatalogue.SegmentSeconds);
        var options = new PlaylistBuilderOptions
        {
            Playlist = new PlaylistOptions { SegmentSeconds = segmentSeconds, HoleSkipThreshold = HoleSkipThreshold },
            Retention = Retention(settings),
        };
        options.Validate();
        // A quarter segment: players poll live.m3u8 about once per target duration.
        var freshness = TimeSpan.FromSeconds(Math.Clamp(segmentSeconds / 4, 0.1, 1));
        return new PlaylistSettings(options, freshness)
        {
            CrossOrigin = CrossOriginPolicy.Parse(settings.Text(SettingsCatalogue.CorsAllowedOrigins)),
        };
    }
}
