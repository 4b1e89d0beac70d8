namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>Creates the pubsub component one stand-in sidecar holds, from its resolved component metadata.</summary>
public static class PubSubBrokers
{
    /// <summary>
    /// One broker client per sidecar. Bad metadata or a failed connection throws <see cref="InvalidDataException"/>
    /// with the component's own error text (daprd wraps it as INIT_COMPONENT_FAILURE and exits).
    /// <paramref name="kafka"/> is the shared in-process cluster all sidecars' pubsub.kafka components connect to.
    /// </summary>
    public static IPubSubBroker Create(string componentType, IReadOnlyDictionary<string, string> metadata, string appId, KafkaClusterModel? kafka = null) =>
        componentType switch
        {
            "pubsub.redis" => RedisStreamsBroker.Connect(RedisStreamsSettings.Parse(metadata, appId)),
            "pubsub.kafka" => KafkaBroker.Connect(
                KafkaSettings.Parse(metadata, appId),
                kafka ?? throw new ArgumentNullException(nameof(kafka), "pubsub.kafka needs the shared KafkaClusterModel.")),
            _ => throw new NotSupportedException($"The Dapr stand-in has no broker for component type '{componentType}'."),
        };
}
