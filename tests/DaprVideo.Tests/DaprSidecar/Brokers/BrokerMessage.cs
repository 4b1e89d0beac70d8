namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// One message as a pubsub component hands it to daprd (contrib pubsub.NewMessage): the topic, the raw bytes that
/// were published (daprd's CloudEvent JSON), the component's metadata for it and the broker's own id for it
/// (a Redis stream entry id, or "partition-offset" for Kafka).
/// </summary>
public sealed record BrokerMessage(string Topic, byte[] Data, IReadOnlyDictionary<string, string> Metadata, string MessageId);

/// <summary>
/// daprd's handler for one message: completes = ack (the component commits/acks); throws = nack, and the
/// component's own semantics apply (see <see cref="RedisStreamsBroker"/> and <see cref="KafkaBroker"/>).
/// The token is the component's: Redis cancels it after processingTimeout or when the subscription ends,
/// Kafka when the consumer-group session ends (rebalance, leave).
/// </summary>
public delegate Task BrokerHandler(BrokerMessage message, CancellationToken cancellationToken);
