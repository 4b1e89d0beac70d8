using DaprVideo.Core.Inference;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Embedded.Cli;
using DaprVideo.Settings;

namespace DaprVideo.Embedded;

/// <summary>
/// The embedded pipeline's settings (SEGMENT_SECONDS, DETECT_FPS, DETECT_FPS_MIN, BATCH_SIZE, BATCH_TIMEOUT_MS,
/// DEBUG, TF_SERVING_URL, RETENTION_MAX_AGE, RETENTION_MAX_BYTES and the detector's), read and validated once at start.
/// </summary>
/// <param name="TfServingUrl">When set, frames go to this TF Serving-compatible server instead of the in-process model.</param>
/// <param name="DetectFpsMin">The analysis rate's floor under overload (DETECT_FPS_MIN; its default when null).</param>
public sealed record PipelineSettings(
    double SegmentSeconds,
    double DetectFps,
    int BatchSize,
    int BatchTimeoutMs,
    bool Debug,
    DetectorSettings Detector,
    string? TfServingUrl = null,
    double? DetectFpsMin = null)
{
    /// <summary>The deployment's retention (serve; a batch run never removes what it made).</summary>
    public RetentionPolicy Retention { get; init; } = RetentionPolicy.Off;

    /// <summary>The x264 preset of the annotated segments (ENCODE_PRESET).</summary>
    public string EncodePreset { get; init; } = SettingsCatalogue.EncodePreset.Default;

    public static PipelineSettings From(SettingsReader env)
    {
        ArgumentNullException.ThrowIfNull(env);
        return new(
            SegmentSeconds: env.Number(SettingsCatalogue.SegmentSeconds),
            DetectFps: env.Number(SettingsCatalogue.DetectFps),
            BatchSize: env.WholeNumber(SettingsCatalogue.BatchSize),
            BatchTimeoutMs: env.WholeNumber(SettingsCatalogue.BatchTimeoutMs),
            Debug: env.Switch(SettingsCatalogue.Debug),
            Detector: DetectorSettings.From(env),
            DetectFpsMin: env.Number(SettingsCatalogue.DetectFpsMin))
        {
            Retention = global::DaprVideo.Playlist.PlaylistSettings.Retention(env),
            EncodePreset = env.Choice(SettingsCatalogue.EncodePreset),
        };
    }

    /// <summary>Applies <c>--detector onnx|tfserving</c> and <c>--tf-serving-url URL</c>.</summary>
    public PipelineSettings WithDetectorArguments(CommandArguments args, SettingsReader env)
    {
        var kind = args.Option("detector") ?? "onnx";
        var url = args.Option("tf-serving-url");
        return kind switch
        {
            "onnx" when url is null => this,
            "onnx" => throw new UsageException("--tf-serving-url goes with --detector tfserving."),
            "tfserving" => this with
            {
                // Set, not defaulted: the CLI asks for a server rather than guessing localhost.
                TfServingUrl = url ?? (env.IsSet(SettingsCatalogue.TfServingUrl) ? env.Text(SettingsCatalogue.TfServingUrl) : null)
                    ?? throw new UsageException("--detector tfserving needs --tf-serving-url (or TF_SERVING_URL), e.g. grpc://127.0.0.1:8500."),
            },
            _ => throw new UsageException($"--detector must be onnx or tfserving, not '{kind}'."),
        };
    }

    public FrameBatcherOptions Batching => new()
    {
        BatchSize = BatchSize,
        BatchTimeout = TimeSpan.FromMilliseconds(BatchTimeoutMs),
        MaxConcurrentBatches = TfServingUrl is null ? Detector.ConcurrentRuns : 1,
    };

    public InferenceOptions Inference => new()
    {
        DetectFps = DetectFps,
        DetectFpsMin = DetectFpsMin ?? SettingsCatalogue.DetectFpsMin.Default,
        EncodePreset = EncodePreset,
        KeepChunks = Debug,
    };

    public PlaylistOptions Playlist => new() { SegmentSeconds = SegmentSeconds };
}
