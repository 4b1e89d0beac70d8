using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// The Dapr settings of a distributed host, read once at start from configuration (environment variables keep
/// their Dapr names) and validated there: a bad value stops the host with one line naming the variable.
/// </summary>
public sealed partial class DaprOptions
{
    public const string PubsubNameVariable = "PUBSUB_NAME";
    public const string ObjectStoreBindingVariable = "OBJECTSTORE_BINDING";
    public const string AppApiTokenVariable = "APP_API_TOKEN";
    public const string DaprApiTokenVariable = "DAPR_API_TOKEN";
    public const string GrpcEndpointVariable = "DAPR_GRPC_ENDPOINT";
    public const string HttpEndpointVariable = "DAPR_HTTP_ENDPOINT";
    public const string GrpcPortVariable = "DAPR_GRPC_PORT";
    public const string HttpPortVariable = "DAPR_HTTP_PORT";

    /// <summary>Header Dapr uses for both tokens (sidecar → app and app → sidecar).</summary>
    public const string ApiTokenHeader = "dapr-api-token";

    /// <summary>Pub/sub component name (default <c>pubsub</c>).</summary>
    public string PubsubName { get; init; } = "pubsub";

    /// <summary><c>bindings.aws.s3</c> component name (default <c>objectstore</c>).</summary>
    public string ObjectStoreBinding { get; init; } = "objectstore";

    /// <summary>When set, incoming calls must carry it in <c>dapr-api-token</c> (Dapr sends it to the app).</summary>
    public string? AppApiToken { get; init; }

    /// <summary>When set, sent to the sidecar on every call (daprd started with the same token).</summary>
    public string? DaprApiToken { get; init; }

    public Uri SidecarGrpcEndpoint { get; init; } = new("http://127.0.0.1:50001");

    public Uri SidecarHttpEndpoint { get; init; } = new("http://127.0.0.1:3500");

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

    public static DaprOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new DaprOptions
        {
            PubsubName = ComponentName(configuration, PubsubNameVariable, "pubsub"),
            ObjectStoreBinding = ComponentName(configuration, ObjectStoreBindingVariable, "objectstore"),
            AppApiToken = Token(configuration, AppApiTokenVariable),
            DaprApiToken = Token(configuration, DaprApiTokenVariable),
            SidecarGrpcEndpoint = Endpoint(configuration, GrpcEndpointVariable, GrpcPortVariable, 50001),
            SidecarHttpEndpoint = Endpoint(configuration, HttpEndpointVariable, HttpPortVariable, 3500),
        };
    }

    private static string ComponentName(IConfiguration configuration, string variable, string fallback)
    {
        var value = configuration[variable];
        if (string.IsNullOrEmpty(value)) return fallback;
        if (!ComponentNameRegex().IsMatch(value))
            throw new InvalidOperationException(
                $"{variable}='{value}' is not a Dapr component name (letters, digits, '-', '.', '_'; at most 63).");
        return value;
    }

    private static string? Token(IConfiguration configuration, string variable)
    {
        var value = configuration[variable];
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new InvalidOperationException($"{variable} must not contain whitespace or control characters.");
        return value;
    }

    private static Uri Endpoint(IConfiguration configuration, string endpointVariable, string portVariable, int defaultPort)
    {
        var endpoint = configuration[endpointVariable];
        if (!string.IsNullOrEmpty(endpoint))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new InvalidOperationException($"{endpointVariable}='{endpoint}' is not an absolute http(s) URL.");
            return uri;
        }

        var port = configuration[portVariable];
        if (string.IsNullOrEmpty(port)) return new Uri($"http://127.0.0.1:{defaultPort.ToString(CultureInfo.InvariantCulture)}");
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            throw new InvalidOperationException($"{portVariable}='{port}' is not a TCP port (1-65535).");
        return new Uri($"http://127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex ComponentNameRegex();
}
