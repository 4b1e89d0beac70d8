using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DaprVideo.Settings;

/// <summary>
/// Every environment variable DaprVideo reads: name, type, default, allowed values and one line of meaning.
/// The README's configuration table is <see cref="MarkdownTable"/> (a test keeps them equal).
/// </summary>
/// <remarks>
/// The rule: <b>Settings</b> are what a host reads from the environment, through <see cref="SettingsReader"/> and
/// this catalogue only; <b>Options</b> are what a component's constructor takes (plain values, no environment).
/// A host turns its settings into options; components never read the environment.
/// </remarks>
public static partial class SettingsCatalogue
{
    // Pipeline (embedded CLI, Ingest, Inference, Playlist)

    public static readonly NumberSetting SegmentSeconds = new("SEGMENT_SECONDS", 3, 0.5, 60,
        "chunk / segment length in seconds (a stream-copied source is cut at its own keyframes: up to twice this)");

    public static readonly NumberSetting DetectFps = new("DETECT_FPS", 5, 0.1, 120,
        "frames analysed per second (boxes hold in between; fewer under overload, down to DETECT_FPS_MIN; video is never dropped)");

    public static readonly NumberSetting DetectFpsMin = new("DETECT_FPS_MIN", 1, 0.1, 120,
        "floor of the analysis rate when the cores cannot keep up (live video stays real time; at or above DETECT_FPS it never drops); at the floor and still behind, new streams get 503");

    public static readonly WholeNumberSetting BatchSize = new("BATCH_SIZE", 4, 1, 64,
        "frames from all streams batched per detector call");

    public static readonly WholeNumberSetting BatchTimeoutMs = new("BATCH_TIMEOUT_MS", 20, 0, 10_000,
        "longest wait for a batch to fill, in milliseconds");

    public static readonly NumberSetting ScoreThreshold = new("SCORE_THRESHOLD", 0.5, 0, 1,
        "detections below are dropped");

    public static readonly ChoiceSetting EncodePreset = new("ENCODE_PRESET", "superfast",
        ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"],
        "x264 preset of the annotated segments (superfast keeps macroblock-tree rate control): a faster one costs less CPU per camera and more bytes at the same quality");

    public static readonly SwitchSetting Debug = new("DEBUG", false,
        "keep raw chunks after annotation");

    public static readonly ChoiceSetting LogLevel = new("LOG_LEVEL", "Information",
        ["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"],
        "least severe of our own log lines shown; at Debug or below ASP.NET Core's per-request lines too");

    // Retention (Playlist enforces it; a stream's own "retention" in POST /api/streams overrides either)

    public static readonly DurationSetting RetentionMaxAge = new("RETENTION_MAX_AGE",
        "segments older than this are deleted, oldest first, with their records and detections");

    public static readonly ByteSizeSetting RetentionMaxBytes = new("RETENTION_MAX_BYTES",
        "a stream's segments beyond this many bytes are deleted, oldest first (the newest is always kept)");

    // Detector: TF Serving client (Inference; the CLI with --detector tfserving)

    public static readonly TextSetting TfServingUrl = new("TF_SERVING_URL", "grpc://localhost:8500",
        "remote detector (Inference; the CLI with `--detector tfserving`)")
    {
        AllowedDescription = "grpc://, grpcs:// (gRPC) or http://, https:// (REST) host[:port]",
    };

    public static readonly TextSetting TfServingModel = new("TF_SERVING_MODEL", "default",
        "model name on the TF Serving server")
    {
        AllowedDescription = "letters, digits, '_', '-', '.' (at most 128)",
    };

    public static readonly WholeNumberSetting TfServingInputSize = new("TF_SERVING_INPUT_SIZE", 300, 16, 4096,
        "frames are resized to N x N before they are sent (`full`: sent at their own size)")
    {
        Word = "full",
        WordValue = 0,
    };

    public static readonly WholeNumberSetting TfServingTimeoutMs = new("TF_SERVING_TIMEOUT_MS", 10_000, 10, 600_000,
        "deadline of one TF Serving call, in milliseconds (transient failures are retried)");

    // Detector: in-process ONNX model (embedded CLI)

    public static readonly TextSetting ModelPath = new("MODEL_PATH", null,
        "in-process detector's ONNX model")
    {
        DefaultDescription = "shipped model",
        AllowedDescription = "a file path",
    };

    public static readonly WholeNumberSetting DetectorThreads = new("DETECTOR_THREADS", 0, 0, 256,
        "in-process detector's threads per model run (0: one, with as many runs at once as cores; N: one run at a time on N)");

    // Ingest

    public static readonly TextSetting ApiKey = new("API_KEY", null,
        "required in `X-Api-Key` for control calls when set");

    public static readonly ListSetting MediaDirs = new("MEDIA_DIRS",
        "folders the API may stream local files from")
    {
        Directories = true,
    };

    public static readonly WholeNumberSetting MaxStreams = new("MAX_STREAMS", 16, 1, 1000,
        "streams captured at once; more are refused");

    public static readonly WholeNumberSetting CameraStallSeconds = new("CAMERA_STALL_SECONDS", 30, 2, 3600,
        "a live source that yields no chunk for this long has dropped: its ffmpeg is stopped and it reconnects (a new stream fails instead)");

    public static readonly WholeNumberSetting CameraGiveUpSeconds = new("CAMERA_GIVE_UP_SECONDS", 300, 5, 604_800,
        "a dropped live source that yields no chunk for this long while reconnecting ends `failed` and frees its `MAX_STREAMS` slot")
    {
        Word = "never",
        WordValue = 0,
    };

    public static readonly TextSetting IngestScratchDir = new("INGEST_SCRATCH_DIR", null,
        "where distributed Ingest's ffmpeg writes chunks before they are stored")
    {
        DefaultDescription = "`daprvideo-ingest` in the temp folder",
        AllowedDescription = "a folder path",
    };

    // HTTP (Playlist; the embedded serve)

    public static readonly TextSetting CorsAllowedOrigins = new("CORS_ALLOWED_ORIGINS", null,
        "web origins that may read HLS, stream state and search from other sites (CORS; never the control calls); unset: same origin only")
    {
        Pattern = OriginListPattern(),
        AllowedDescription = "`*` or origins like `https://player.example:8443` separated by ','",
    };

    // Notifications: the Notifier (distributed) and the embedded serve

    public static readonly TextSetting NotifyBindings = new("NOTIFY_BINDINGS", null,
        "Dapr output bindings the Notifier sends each started and ended event to (operation `create`, the event's JSON as data); unset: it sends nothing")
    {
        Pattern = ComponentNameListPattern(),
        AllowedDescription = "Dapr component names separated by ',' (`webhook,mqtt`)",
    };

    public static readonly SwitchSetting NotifyUpdates = new("NOTIFY_UPDATES", false,
        "also send `updated` changes (a higher score, a new zone), not only `started` and `ended` (Notifier and `EVENTS_WEBHOOK_URL`)");

    public static readonly UrlSetting EventsWebhookUrl = new("EVENTS_WEBHOOK_URL", ["http", "https"],
        "– (off)", "embedded `serve`: each started and ended event is POSTed here as JSON (retried with backoff; a bounded queue, oldest dropped when full)")
    {
        // It may carry a token (userinfo, query): errors and logs never show the value.
        Redacted = true,
    };

    // Every host: stopping

    public static readonly NumberSetting ShutdownTimeout = new("SHUTDOWN_TIMEOUT", 20, 1, 3600,
        "longest graceful stop after SIGTERM or Ctrl+C, in seconds: new work is refused (503), the chunk in flight finishes or is handed back, then the process exits 0");

    // Distributed hosts: Dapr and ASP.NET Core

    public static readonly TextSetting PubsubName = new("PUBSUB_NAME", "pubsub",
        "Dapr pub/sub component name")
    {
        Pattern = ComponentNamePattern(),
        AllowedDescription = "a Dapr component name (letters, digits, '-', '.', '_'; at most 63)",
    };

    public static readonly TextSetting ObjectStoreBinding = new("OBJECTSTORE_BINDING", "objectstore",
        "Dapr `bindings.aws.s3` component name")
    {
        Pattern = ComponentNamePattern(),
        AllowedDescription = PubsubName.AllowedDescription,
    };

    public static readonly TextSetting DaprSecretStore = new("DAPR_SECRET_STORE", "secretstore",
        "Dapr secret store component that camera credentials referenced as `\"credentials\": {\"secret\": \"name\"}` are read from (Ingest)")
    {
        Pattern = ComponentNamePattern(),
        AllowedDescription = PubsubName.AllowedDescription,
    };

    public static readonly WholeNumberSetting AppPort = new("APP_PORT", 0, 0, 65535,
        "port a distributed service listens on (on 0.0.0.0)")
    {
        DefaultDescription = "5101 ingest, 5102 inference, 5103 playlist, 5104 notifier",
    };

    public static readonly TextSetting AspNetCoreUrls = new("ASPNETCORE_URLS", null,
        "ASP.NET Core's listen addresses; when set, APP_PORT is not applied");

    public static readonly TextSetting AppApiToken = new("APP_API_TOKEN", null,
        "when set, calls to the app must carry it in `dapr-api-token` (Dapr sends it)")
    {
        Pattern = TokenPattern(),
        AllowedDescription = "text without whitespace or control characters",
        Verbatim = true,
    };

    public static readonly TextSetting DaprApiToken = new("DAPR_API_TOKEN", null,
        "when set, sent to the sidecar on every call")
    {
        Pattern = TokenPattern(),
        AllowedDescription = AppApiToken.AllowedDescription,
        Verbatim = true,
    };

    public static readonly UrlSetting DaprGrpcEndpoint = new("DAPR_GRPC_ENDPOINT", ["http", "https"],
        "from `DAPR_GRPC_PORT`", "sidecar's gRPC address");

    public static readonly UrlSetting DaprHttpEndpoint = new("DAPR_HTTP_ENDPOINT", ["http", "https"],
        "from `DAPR_HTTP_PORT`", "sidecar's HTTP address");

    public static readonly WholeNumberSetting DaprGrpcPort = new("DAPR_GRPC_PORT", 50001, 1, 65535,
        "sidecar's gRPC port on 127.0.0.1 (when `DAPR_GRPC_ENDPOINT` is unset)");

    public static readonly WholeNumberSetting DaprHttpPort = new("DAPR_HTTP_PORT", 3500, 1, 65535,
        "sidecar's HTTP port on 127.0.0.1 (when `DAPR_HTTP_ENDPOINT` is unset)");

    public static readonly TextSetting OtlpEndpoint = new("OTEL_EXPORTER_OTLP_ENDPOINT", null,
        "OpenTelemetry collector; traces and metrics are exported there when set (Prometheus `/metrics` either way)");

    /// <summary>Every setting, in README order.</summary>
    public static readonly IReadOnlyList<Setting> All =
    [
        SegmentSeconds, DetectFps, DetectFpsMin, BatchSize, BatchTimeoutMs, ScoreThreshold, EncodePreset, Debug, LogLevel,
        RetentionMaxAge, RetentionMaxBytes,
        TfServingUrl, TfServingModel, TfServingInputSize, TfServingTimeoutMs,
        ModelPath, DetectorThreads,
        ApiKey, MediaDirs, MaxStreams, CameraStallSeconds, CameraGiveUpSeconds, IngestScratchDir, ShutdownTimeout,
        CorsAllowedOrigins,
        NotifyBindings, NotifyUpdates, EventsWebhookUrl,
        PubsubName, ObjectStoreBinding, DaprSecretStore, AppPort, AspNetCoreUrls, AppApiToken, DaprApiToken,
        DaprGrpcEndpoint, DaprHttpEndpoint, DaprGrpcPort, DaprHttpPort, OtlpEndpoint,
    ];

    /// <summary>The setting called <paramref name="name"/>, or null.</summary>
    public static Setting? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>The README's configuration table.</summary>
    public static string MarkdownTable()
    {
        var table = new StringBuilder();
        table.Append("| variable | default | values | meaning |\n|---|---|---|---|\n");
        foreach (var s in All)
            table.Append(CultureInfo.InvariantCulture, $"| `{s.Name}` | {s.DefaultText} | {s.AllowedText} | {s.Meaning} |\n");
        return table.ToString();
    }

    // \z, not $: $ also matches before a final newline, which a Verbatim value keeps.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ComponentNamePattern();

    // Names as above, separated by ',' (spaces around a comma allowed).
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}(\s*,\s*[A-Za-z0-9][A-Za-z0-9._-]{0,62})*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ComponentNameListPattern();

    [GeneratedRegex(@"^[^\s\p{Cc}]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    // An origin is scheme://host[:port], nothing after it (RFC 6454); a bracketed IPv6 host is allowed.
    [GeneratedRegex(@"^(\*|(https?://([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/?)(\s*,\s*https?://([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/?)*)\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex OriginListPattern();
}
