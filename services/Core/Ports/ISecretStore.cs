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

/// <summary>A secret could not be read; the message is the store's one-line reason and never holds a secret value.</summary>
public sealed class SecretStoreException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when trying again later may succeed (the store or its sidecar was not reachable).</summary>
    public bool Transient { get; } = transient;
}
