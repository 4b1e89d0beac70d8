using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;

namespace DaprVideo.Ingest;

/// <summary>Stream control settings, validated at start.</summary>
public sealed record IngestOptions
{
    /// <summary>Chunk length (SEGMENT_SECONDS).</summary>
    public double SegmentSeconds { get; init; } = SettingsCatalogue.SegmentSeconds.Default;

    /// <summary>Folders whose files may be streamed through the API (MEDIA_DIRS); none by default.</summary>
    public IReadOnlyList<string> MediaDirectories { get; init; } = [];

    /// <summary>When set, control calls need it in X-Api-Key (API_KEY).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Streams captured at once; more are refused rather than starving the others.</summary>
    public int MaxStreams { get; init; } = SettingsCatalogue.MaxStreams.Default;

    /// <summary>A live source with no chunk for this long has dropped and reconnects (CAMERA_STALL_SECONDS).</summary>
    public TimeSpan CameraStallTimeout { get; init; } = TimeSpan.FromSeconds(SettingsCatalogue.CameraStallSeconds.Default);

    /// <summary>A dropped live source dark for this long ends failed (CAMERA_GIVE_UP_SECONDS); null: never.</summary>
    public TimeSpan? CameraGiveUpAfter { get; init; } = TimeSpan.FromSeconds(SettingsCatalogue.CameraGiveUpSeconds.Default);

    /// <summary>Where ffmpeg writes chunks before they are stored (one private folder per Ingest process, see <see cref="ScratchArea"/>).</summary>
    public required string ScratchDirectory { get; init; }

    /// <summary>
    /// Distributed Ingest: at host shutdown running streams stay active in the registry, for the next Ingest to
    /// resume. Off (embedded): shutdown ends every stream and its playlist.
    /// </summary>
    public bool ResumeStreams { get; init; }

    /// <summary>Origins whose pages may read the stream list (CORS_ALLOWED_ORIGINS); off by default.</summary>
    public CrossOriginPolicy CrossOrigin { get; init; } = CrossOriginPolicy.Off;

    /// <summary>
    /// Reads SEGMENT_SECONDS, MEDIA_DIRS, API_KEY, MAX_STREAMS, CAMERA_STALL_SECONDS, CAMERA_GIVE_UP_SECONDS, CORS_ALLOWED_ORIGINS and the scratch folder: <paramref name="scratchDirectory"/>
    /// when the host has its own place for it, else INGEST_SCRATCH_DIR (default a temp folder), created now so a bad
    /// path stops the host at start.
    /// </summary>
    public static IngestOptions FromSettings(SettingsReader settings, string? scratchDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new IngestOptions
        {
            SegmentSeconds = settings.Number(SettingsCatalogue.SegmentSeconds),
            MediaDirectories = settings.List(SettingsCatalogue.MediaDirs),
            ApiKey = settings.Text(SettingsCatalogue.ApiKey),
            MaxStreams = settings.WholeNumber(SettingsCatalogue.MaxStreams),
            CameraStallTimeout = TimeSpan.FromSeconds(settings.WholeNumber(SettingsCatalogue.CameraStallSeconds)),
            CameraGiveUpAfter = settings.WholeNumber(SettingsCatalogue.CameraGiveUpSeconds) is var giveUp and > 0 ? TimeSpan.FromSeconds(giveUp) : null,
            ScratchDirectory = scratchDirectory ?? ScratchFromSettings(settings),
            CrossOrigin = CrossOriginPolicy.Parse(settings.Text(SettingsCatalogue.CorsAllowedOrigins)),
        };
    }

    private static string ScratchFromSettings(SettingsReader settings)
    {
        var setting = SettingsCatalogue.IngestScratchDir;
        var path = settings.Text(setting, Path.Combine(Path.GetTempPath(), "daprvideo-ingest"));
        try
        {
            return Directory.CreateDirectory(Path.GetFullPath(path)).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SettingsException(setting.Name, $"cannot create '{path}': {e.Message}", e);
        }
    }

    public void Validate()
    {
        if (!SettingsCatalogue.SegmentSeconds.Allows(SegmentSeconds))
            throw new ArgumentException($"SEGMENT_SECONDS must be {SettingsCatalogue.SegmentSeconds.AllowedText}, not {SegmentSeconds}.");
        if (!SettingsCatalogue.MaxStreams.Allows(MaxStreams))
            throw new ArgumentException($"MAX_STREAMS must be {SettingsCatalogue.MaxStreams.AllowedText}, not {MaxStreams}.");
        foreach (var dir in MediaDirectories)
            if (!Path.IsPathFullyQualified(dir) || !Directory.Exists(dir))
                throw new ArgumentException($"MEDIA_DIRS entry '{dir}' is not an existing absolute directory.");
        if (CameraStallTimeout <= TimeSpan.Zero) throw new ArgumentException("The camera stall timeout must be positive.");
        if (CameraGiveUpAfter is { } giveUp && giveUp <= TimeSpan.Zero) throw new ArgumentException("The camera give-up time must be positive.");
        if (string.IsNullOrWhiteSpace(ScratchDirectory)) throw new ArgumentException("The scratch directory is not set.");
    }
}
