using DaprVideo.DaprAdapters;
using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// The distributed-mode conventions the manifests must honour (app ids, ports, the environment each
/// service reads, component names, health paths). Names come from the code where the code has them.
/// </summary>
internal static class Conventions
{
    public sealed record App(string Id, int Port, string ProjectDirectory, IReadOnlyList<string> Environment);

    /// <summary>Read by every DaprVideo host (OTEL_EXPORTER_OTLP_ENDPOINT is optional and not listed).</summary>
    public static readonly IReadOnlyList<string> CommonEnvironment =
    [
        SettingsCatalogue.PubsubName.Name,
        SettingsCatalogue.ObjectStoreBinding.Name,
        SettingsCatalogue.AppApiToken.Name,
        SettingsCatalogue.DaprApiToken.Name,
        SettingsCatalogue.ShutdownTimeout.Name,
        "APP_PORT",
    ];

    public static readonly App Ingest = new("ingest", 5101, "Ingest",
        [.. CommonEnvironment, "SEGMENT_SECONDS", "API_KEY", "MEDIA_DIRS", "MAX_STREAMS", SettingsCatalogue.DaprSecretStore.Name]);

    public static readonly App Inference = new("inference", 5102, "Inference",
        [.. CommonEnvironment, "TF_SERVING_URL", "TF_SERVING_MODEL", "BATCH_SIZE", "BATCH_TIMEOUT_MS", "DETECT_FPS", "DETECT_FPS_MIN", "SCORE_THRESHOLD", "DEBUG"]);

    public static readonly App Playlist = new("playlist", 5103, "Playlist",
        [.. CommonEnvironment, "SEGMENT_SECONDS"]);

    /// <summary>
    /// Sends events to people through output bindings; uses the pub/sub and secret store, not the object store.
    /// NOTIFY_BINDINGS is not listed: unset is meaningful (nothing to send) until k8s/components/notifications sets it.
    /// </summary>
    public static readonly App Notifier = new("notifier", 5104, "Notifier",
        [.. CommonEnvironment.Where(n => n != SettingsCatalogue.ObjectStoreBinding.Name), SettingsCatalogue.NotifyUpdates.Name]);

    /// <summary>TF Serving's flags, not environment; no sidecar in Kubernetes. Its port here is the REST port
    /// (the appPort dapr.yaml gives it).</summary>
    public static readonly App ModelServer = new("modelserver", 8501, "ModelServer", []);

    public static readonly IReadOnlyList<App> Apps = [Ingest, Inference, Playlist, Notifier, ModelServer];

    /// <summary>The apps that run the DaprVideo pipeline through their sidecar (all but the model server).</summary>
    public static readonly IReadOnlyList<App> PipelineApps = [Ingest, Inference, Playlist];

    /// <summary>Every app with a sidecar: the pipeline apps and the Notifier.</summary>
    public static readonly IReadOnlyList<App> DaprApps = [.. PipelineApps, Notifier];

    public const int ModelServerGrpcPort = 8500;
    public const int ModelServerRestPort = 8501;

    public static readonly IReadOnlyList<string> ComponentNames = ["pubsub", "objectstore", "secretstore"];

    public const string Namespace = "daprvideo";
    public const string LivenessPath = ServiceDefaultsExtensions.LivenessPath;
    public const string ReadinessPath = ServiceDefaultsExtensions.ReadinessPath;

    public static App? ById(string? id) => Apps.FirstOrDefault(a => a.Id == id);
}
