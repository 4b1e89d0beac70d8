using DaprVideo.ServiceDefaults;
using DaprVideo.Core.Inference;
using DaprVideo.Core.Pipeline;
using DaprVideo.Standalone.Cli;
using DaprVideo.Core.Playlist;

namespace DaprVideo.Standalone;

/// <summary>
/// The embedded pipeline's settings (SEGMENT_SECONDS, DETECT_FPS, BATCH_SIZE, BATCH_TIMEOUT_MS,
/// DEBUG, TF_SERVING_URL and the detector's), read and validated once at start.
/// </summary>
/// <param name="TfServingUrl">When set, frames go to this TF Serving-compatible server instead of the in-process model.</param>
public sealed record PipelineSettings(
    double SegmentSeconds,
    double DetectFps,
    int BatchSize,
    int BatchTimeoutMs,
    bool Debug,
    DetectorSettings Detector,
    string? TfServingUrl = null)
{
    public static PipelineSettings From(ServiceSettings env) => new(
        SegmentSeconds: env.Number("SEGMENT_SECONDS", 3, 0.5, 60),
        DetectFps: env.Number("DETECT_FPS", 5, 0.1, 120),
        BatchSize: env.WholeNumber("BATCH_SIZE", 4, 1, 64),
        BatchTimeoutMs: env.WholeNumber("BATCH_TIMEOUT_MS", 20, 0, 10_000),
        Debug: env.Switch("DEBUG"),
        Detector: DetectorSettings.From(env));

    /// <summary>Applies <c>--detector onnx|tfserving</c> and <c>--tf-serving-url URL</c>.</summary>
    public PipelineSettings WithDetectorArguments(CommandArguments args, ServiceSettings env)
    {
        var kind = args.Option("detector") ?? "onnx";
        var url = args.Option("tf-serving-url");
        return kind switch
        {
            "onnx" when url is null => this,
            "onnx" => throw new UsageException("--tf-serving-url goes with --detector tfserving."),
            "tfserving" => this with
            {
                TfServingUrl = url ?? env.Text("TF_SERVING_URL")
                    ?? throw new UsageException("--detector tfserving needs --tf-serving-url (or TF_SERVING_URL), e.g. grpc://127.0.0.1:8500."),
            },
            _ => throw new UsageException($"--detector must be onnx or tfserving, not '{kind}'."),
        };
    }

    public FrameBatcherOptions Batching => new() { BatchSize = BatchSize, BatchTimeout = TimeSpan.FromMilliseconds(BatchTimeoutMs) };

    public InferenceOptions Inference => new() { DetectFps = DetectFps, KeepChunks = Debug };

    public PlaylistOptions Playlist => new() { SegmentSeconds = SegmentSeconds };
}
