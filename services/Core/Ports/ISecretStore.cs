using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Ports;

/// <summary>
/// A read-only store of named secrets, each a set of key/value pairs (distributed mode: the Dapr secret store
/// that <c>DAPR_SECRET_STORE</c> names). Ingest reads camera credentials from it by name.
/// </summary>
public interface ISecretStore
{
    /// <summary>The store's name, for messages.</summary>
    string Name { get; }

    /// <summary>
    /// The secret's keys and values. Throws <see cref="SecretStoreException"/>: <see cref="SecretStoreException.Transient"/>
    /// when the store could not be reached (try again), otherwise with the store's reason (no such secret, access denied,
    /// no such store).
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> GetAsync(string name, CancellationToken cancellationToken = default);
}
