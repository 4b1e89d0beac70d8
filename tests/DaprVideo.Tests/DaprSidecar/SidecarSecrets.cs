using System.Net;
using Grpc.Core;
using YamlDotNet.RepresentationModel;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>A secret store component as daprd's secrets API calls it (components-contrib <c>secretstores.SecretStore</c>).</summary>
public interface ISidecarSecretStore
{
    /// <summary><c>GetSecret</c>: the secret's key/value pairs; throws with the component's own error text.</summary>
    IReadOnlyDictionary<string, string> GetSecret(string name);

    /// <summary><c>BulkGetSecret</c>: every secret of the store.</summary>
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> BulkGetSecret();
}

/// <summary>
/// One <c>spec.secrets.scopes</c> entry of the app's Configuration (dapr/dapr pkg/config/configuration.go
/// <c>SecretsScope</c>, <c>IsSecretAllowed</c>): a non-empty <see cref="AllowedSecrets"/> is the whole answer; else a
/// name in <see cref="DeniedSecrets"/> is refused; else <see cref="DefaultAccess"/> ("deny", any case, refuses; anything
/// else allows).
/// </summary>
public sealed record SecretScope(string StoreName, string DefaultAccess, IReadOnlyList<string> AllowedSecrets, IReadOnlyList<string> DeniedSecrets)
{
    public bool IsSecretAllowed(string key)
    {
        if (AllowedSecrets.Count != 0) return AllowedSecrets.Contains(key, StringComparer.Ordinal);
        if (DeniedSecrets.Contains(key, StringComparer.Ordinal)) return false;
        return !string.Equals(DefaultAccess, "deny", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The scopes of a Configuration document (daprd reads it with sigs.k8s.io/yaml: fields match ignoring case).
    /// A store named twice: the later entry wins (daprd keeps them in a map by store name).
    /// </summary>
    public static IReadOnlyList<SecretScope> FromConfiguration(string? document)
    {
        if (document is null) return [];
        var root = Resiliency.ResourceYaml.FirstDocumentRoot(document);
        var secrets = Resiliency.ResourceYaml.Object(Resiliency.ResourceYaml.Object(root, "spec"), "secrets");
        if (Resiliency.ResourceYaml.Field(secrets, "scopes") is not YamlSequenceNode scopes) return [];
        var byStore = new Dictionary<string, SecretScope>(StringComparer.Ordinal);
        foreach (var node in scopes.Children.OfType<YamlMappingNode>())
        {
            var scope = new SecretScope(
                Resiliency.ResourceYaml.String(node, "storeName") ?? "",
                Resiliency.ResourceYaml.String(node, "defaultAccess") ?? "",
                Resiliency.ResourceYaml.Strings(node, "allowedSecrets"),
                Resiliency.ResourceYaml.Strings(node, "deniedSecrets"));
            byStore[scope.StoreName] = scope;
        }
        return [.. byStore.Values];
    }
}

/// <summary>
/// daprd's secrets building block (dapr/dapr pkg/api/universal/secrets.go), shared by the HTTP routes
/// (pkg/api/http/secrets.go: <c>GET /v1.0/secrets/{store}/{key}</c> answers the data map itself, <c>/bulk</c> a map of
/// maps) and gRPC <c>GetSecret</c>/<c>GetBulkSecret</c>. Errors are daprd's APIErrors (pkg/messages/predefined.go) with
/// their HTTP status, gRPC code, error code and message. Not modelled: the per-request <c>metadata.*</c> (local.file
/// ignores it), the secret store's Resiliency policy.
/// </summary>
public sealed class SidecarSecrets(IReadOnlyDictionary<string, ISidecarSecretStore> stores, IReadOnlyList<SecretScope> scopes)
{
    public static readonly SidecarSecrets None = new(new Dictionary<string, ISidecarSecretStore>(), []);

    public IReadOnlyDictionary<string, string> Get(string storeName, string key)
    {
        var store = Validate(storeName);
        if (!IsAllowed(storeName, key))
            throw new SecretApiException("ERR_PERMISSION_DENIED", $"access denied by policy to get \"{key}\" from \"{storeName}\"",
                HttpStatusCode.Forbidden, StatusCode.PermissionDenied);
        try
        {
            return store.GetSecret(key);
        }
        catch (Exception e) when (e is not SecretApiException)
        {
            throw new SecretApiException("ERR_SECRET_GET", $"failed getting secret with key {key} from secret store {storeName}: {e.Message}",
                HttpStatusCode.InternalServerError, StatusCode.Internal);
        }
    }

    /// <summary>The bulk read filters out what the scope denies (it does not fail).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Bulk(string storeName)
    {
        var store = Validate(storeName);
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> all;
        try
        {
            all = store.BulkGetSecret();
        }
        catch (Exception e) when (e is not SecretApiException)
        {
            throw new SecretApiException("ERR_SECRET_GET", $"failed getting secrets from secret store {storeName}: {e.Message}",
                HttpStatusCode.InternalServerError, StatusCode.Internal);
        }
        return all.Where(kv => IsAllowed(storeName, kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    private ISidecarSecretStore Validate(string storeName)
    {
        if (stores.Count == 0)
            throw new SecretApiException("ERR_SECRET_STORES_NOT_CONFIGURED", "secret store is not configured",
                HttpStatusCode.InternalServerError, StatusCode.FailedPrecondition);
        if (!stores.TryGetValue(storeName, out var store))
            throw new SecretApiException("ERR_SECRET_STORE_NOT_FOUND", $"failed finding secret store with key {storeName}",
                HttpStatusCode.Unauthorized, StatusCode.InvalidArgument);
        return store;
    }

    private bool IsAllowed(string storeName, string key) =>
        scopes.LastOrDefault(s => s.StoreName == storeName) is not { } scope || scope.IsSecretAllowed(key);
}

/// <summary>A daprd APIError: <c>{"errorCode": ..., "message": ...}</c> over HTTP, status + message over gRPC.</summary>
public sealed class SecretApiException(string errorCode, string message, HttpStatusCode httpStatus, StatusCode grpcCode) : Exception(message)
{
    public string ErrorCode { get; } = errorCode;
    public HttpStatusCode HttpStatus { get; } = httpStatus;
    public StatusCode GrpcCode { get; } = grpcCode;
}
