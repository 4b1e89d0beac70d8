namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>One record in a partition of the Kafka model.</summary>
public sealed record KafkaRecord(
    string Topic, int Partition, long Offset, byte[]? Key, byte[] Value,
    IReadOnlyList<KeyValuePair<string, string>> Headers, DateTimeOffset Timestamp);

/// <summary>A topic partition.</summary>
public readonly record struct TopicPartition(string Topic, int Partition);
