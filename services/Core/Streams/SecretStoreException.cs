namespace DaprVideo.Core.Streams;

/// <summary>A secret could not be read; the message is the store's one-line reason and never holds a secret value.</summary>
public sealed class SecretStoreException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when trying again later may succeed (the store or its sidecar was not reachable).</summary>
    public bool Transient { get; } = transient;
}
