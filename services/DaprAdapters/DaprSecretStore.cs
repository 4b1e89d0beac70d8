using Dapr;
using Dapr.Client;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using Grpc.Core;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// <see cref="ISecretStore"/> over Dapr's secrets API (gRPC <c>GetSecret</c>, the same as HTTP
/// <c>GET /v1.0/secrets/{store}/{name}</c>), on the component DAPR_SECRET_STORE names. Read-only by design: Dapr has no
/// API to write a secret, so Ingest records only the secret's name.
/// </summary>
/// <remarks>
/// What daprd answers (dapr/dapr pkg/api/universal/secrets.go, pkg/messages/predefined.go):
/// no secret store loaded at all: FailedPrecondition "secret store is not configured"; an unknown store: InvalidArgument
/// "failed finding secret store with key {store}"; a name the Configuration's <c>secrets.scopes</c> deny:
/// PermissionDenied "access denied by policy to get \"{name}\" from \"{store}\""; the component failing (also a
/// missing secret, e.g. local.file's "secret {name} not found" or Kubernetes' "secrets \"{name}\" not found"): Internal
/// "failed getting secret with key {name} from secret store {store}: {reason}". A sidecar that is not reachable
/// (Unavailable, DeadlineExceeded) is transient. The data is the secret's key/value map (a Kubernetes Secret's
/// data keys; local.file with <c>multiValued: "true"</c>: a top-level object's keys).
/// </remarks>
public sealed class DaprSecretStore(DaprClient client, DaprOptions options) : ISecretStore
{
    public string Name { get; } = (options ?? throw new ArgumentNullException(nameof(options))).SecretStoreName;

    public async Task<IReadOnlyDictionary<string, string>> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            var data = await client.GetSecretAsync(Name, name, cancellationToken: cancellationToken);
            return new Dictionary<string, string>(data, StringComparer.Ordinal);
        }
        catch (DaprException e) when (e.InnerException is RpcException rpc)
        {
            throw Translate(rpc, e);
        }
        catch (RpcException rpc)
        {
            throw Translate(rpc, rpc);
        }
        catch (HttpRequestException e)
        {
            throw new SecretStoreException($"the Dapr sidecar is not reachable: {e.Message}", transient: true, e);
        }
    }

    private static SecretStoreException Translate(RpcException rpc, Exception inner) => rpc.StatusCode switch
    {
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.ResourceExhausted =>
            new SecretStoreException($"the Dapr sidecar did not answer ({rpc.StatusCode}): {rpc.Status.Detail}", transient: true, inner),
        _ => new SecretStoreException(rpc.Status.Detail, transient: false, inner),
    };
}
