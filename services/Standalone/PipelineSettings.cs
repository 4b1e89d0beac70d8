using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;

namespace DaprVideo.Standalone;

/// <summary>
/// The embedded pipeline's settings (SEGMENT_SECONDS, DETECT_FPS, BATCH_SIZE, BATCH_TIMEOUT_MS,
/// DEBUG and the detector's), read and validated once at start.
/// </summary>
public sealed record PipelineSettings(
    double SegmentSeconds,
    double DetectFps,
    int BatchSize,
    int BatchTimeoutMs,
    bool Debug,
    DetectorSettings Detector)
{
    public static PipelineSettings From(SettingsReader env) => new(
        SegmentSeconds: env.Number("SEGMENT_SECONDS", 3, 0.5, 60),
        DetectFps: env.Number("DETECT_FPS", 5, 0.1, 120),
        BatchSize: env.WholeNumber("BATCH_SIZE", 4, 1, 64),
        BatchTimeoutMs: env.WholeNumber("BATCH_TIMEOUT_MS", 20, 0, 10_000),
        Debug: env.Switch("DEBUG"),
        Detector: DetectorSettings.From(env));

    public InferenceOptions Inference => new() { DetectFps = DetectFps, KeepChunks = Debug };

    public PlaylistOptions Playlist => new() { SegmentSeconds = SegmentSeconds };
}
