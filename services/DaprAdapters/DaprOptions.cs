using System.Globalization;
using DaprVideo.Settings;
using Microsoft.Extensions.Configuration;
using static DaprVideo.Settings.SettingsCatalogue;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// The Dapr adapters' options. A distributed host reads them once at start from its settings (PUBSUB_NAME,
/// OBJECTSTORE_BINDING, DAPR_SECRET_STORE, APP_API_TOKEN, DAPR_API_TOKEN, DAPR_GRPC_/DAPR_HTTP_ENDPOINT or _PORT; see
/// <see cref="SettingsCatalogue"/>): a bad value stops the host with one line naming the variable.
/// </summary>
public sealed class DaprOptions
{
    /// <summary>Header Dapr uses for both tokens (sidecar → app and app → sidecar).</summary>
    public const string ApiTokenHeader = "dapr-api-token";

    /// <summary>Pub/sub component name (default <c>pubsub</c>).</summary>
    public string PubsubName { get; init; } = SettingsCatalogue.PubsubName.Default!;

    /// <summary><c>bindings.aws.s3</c> component name (default <c>objectstore</c>).</summary>
    public string ObjectStoreBinding { get; init; } = SettingsCatalogue.ObjectStoreBinding.Default!;

    /// <summary>Secret store component camera credentials are read from (default <c>secretstore</c>).</summary>
    public string SecretStoreName { get; init; } = SettingsCatalogue.DaprSecretStore.Default!;

    /// <summary>When set, incoming calls must carry it in <c>dapr-api-token</c> (Dapr sends it to the app).</summary>
    public string? AppApiToken { get; init; }

    /// <summary>When set, sent to the sidecar on every call (daprd started with the same token).</summary>
    public string? DaprApiToken { get; init; }

    public Uri SidecarGrpcEndpoint { get; init; } = Loopback(DaprGrpcPort.Default);

    public Uri SidecarHttpEndpoint { get; init; } = Loopback(DaprHttpPort.Default);

    /// <summary>
    /// Largest gRPC message the client sends or accepts. daprd's own limit is its <c>--max-body-size</c>
    /// (default 4 MiB); objects travel base64-encoded, so raise daprd's limit to about 1.4 × the largest chunk.
    /// </summary>
    public int MaxGrpcMessageBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>
    /// Retries of a transient object-store failure (exponential from 200 ms, at most 5 s apart). They live here, not
    /// in the sidecar's Resiliency policy, because only the adapter can tell a miss from a failure.
    /// </summary>
    public int ObjectStoreRetries { get; init; } = 4;

    public static DaprOptions FromConfiguration(IConfiguration configuration) => FromSettings(new SettingsReader(configuration));

    public static DaprOptions FromSettings(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new DaprOptions
        {
            PubsubName = settings.Text(SettingsCatalogue.PubsubName, SettingsCatalogue.PubsubName.Default!),
            ObjectStoreBinding = settings.Text(SettingsCatalogue.ObjectStoreBinding, SettingsCatalogue.ObjectStoreBinding.Default!),
            SecretStoreName = settings.Text(SettingsCatalogue.DaprSecretStore, SettingsCatalogue.DaprSecretStore.Default!),
            AppApiToken = settings.Text(SettingsCatalogue.AppApiToken),
            DaprApiToken = settings.Text(SettingsCatalogue.DaprApiToken),
            SidecarGrpcEndpoint = settings.Url(DaprGrpcEndpoint) ?? Loopback(settings.WholeNumber(DaprGrpcPort)),
            SidecarHttpEndpoint = settings.Url(DaprHttpEndpoint) ?? Loopback(settings.WholeNumber(DaprHttpPort)),
        };
    }

    private static Uri Loopback(int port) => new($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
}
