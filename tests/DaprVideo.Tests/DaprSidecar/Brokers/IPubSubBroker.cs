namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// The pubsub component one stand-in sidecar holds (one per app; several sidecars share one broker), with the
/// contrib component's publish and subscribe behaviour (contrib pubsub/pubsub.go PubSub interface).
/// Disposing it is daprd shutting the component down (contrib Close).
/// </summary>
public interface IPubSubBroker : IAsyncDisposable
{
    /// <summary>"pubsub.redis" or "pubsub.kafka".</summary>
    string ComponentType { get; }

    /// <summary>
    /// Publishes <paramref name="data"/>; <paramref name="metadata"/> is the Dapr publish metadata (partitionKey etc.).
    /// Fails with <see cref="BrokerPublishException"/> carrying the component's error text.
    /// </summary>
    Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);

    /// <summary>Starts delivering <paramref name="topic"/> to <paramref name="handler"/>; disposing the result ends this subscription (the member leaves).</summary>
    Task<IAsyncDisposable> SubscribeAsync(string topic, BrokerHandler handler, CancellationToken cancellationToken);
}
