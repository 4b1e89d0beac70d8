namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// An in-process Kafka cluster that several stand-in sidecars' <see cref="KafkaBroker"/> clients share: topics of
/// partition logs (auto-created on first publish or subscribe with num.partitions, Kafka's default 1) and consumer
/// groups with their coordinator (<see cref="KafkaConsumerGroupModel"/>). Chosen over librdkafka's mock cluster
/// because daprd's component is Sarama: its FNV-1a partitioner, range assignor and ConsumeClaim loop are what must be
/// modelled, and a librdkafka client would bring its own (CRC32 partitioner, different assignors and timings).
/// </summary>
public sealed class KafkaClusterModel
{
    private readonly object _gate = new();
    private readonly Dictionary<string, KafkaPartitionLog[]> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KafkaConsumerGroupModel> _groups = new(StringComparer.Ordinal);

    /// <param name="bootstrapServers">The address components must list in their brokers metadata.</param>
    /// <param name="defaultPartitions">num.partitions for auto-created topics.</param>
    /// <param name="timeProvider">Clock for consumer back-off and session expiry.</param>
    public KafkaClusterModel(string bootstrapServers = "localhost:9092", int defaultPartitions = 1, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(defaultPartitions, 1);
        BootstrapServers = bootstrapServers;
        DefaultPartitions = defaultPartitions;
        Time = timeProvider ?? TimeProvider.System;
    }

    public string BootstrapServers { get; }

    public int DefaultPartitions { get; }

    public TimeProvider Time { get; }

    /// <summary>kafka-topics --create: a topic with <paramref name="partitions"/> partitions; fails if it exists.</summary>
    public void CreateTopic(string topic, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        lock (_gate)
        {
            if (_topics.ContainsKey(topic)) throw new InvalidOperationException($"Topic '{topic}' already exists.");
            _topics[topic] = NewLogs(partitions);
        }
    }

    public int PartitionCount(string topic) => Topic(topic).Length;

    public IReadOnlyList<KafkaRecord> Records(string topic, int partition) => Topic(topic)[partition].Records;

    /// <summary>The group's committed offset (next offset to read) for a partition, or null if none was committed.</summary>
    public long? CommittedOffset(string group, TopicPartition partition) => Group(group).Committed(partition);

    /// <summary>The group's current assignment, member id → partitions.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assignment(string group) => Group(group).Assignment;

    /// <summary>Number of completed rebalances (generations) of the group.</summary>
    public int Generation(string group) => Group(group).Generation;

    internal KafkaPartitionLog[] Topic(string topic)
    {
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var logs)) _topics[topic] = logs = NewLogs(DefaultPartitions);
            return logs;
        }
    }

    internal KafkaConsumerGroupModel Group(string group)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(group, out var model)) _groups[group] = model = new KafkaConsumerGroupModel(group, this);
            return model;
        }
    }

    private static KafkaPartitionLog[] NewLogs(int partitions) => [.. Enumerable.Range(0, partitions).Select(_ => new KafkaPartitionLog())];
}
