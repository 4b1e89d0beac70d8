namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// How the producer picks a partition: contrib common/component/kafka/partitioner.go daprPartitioner — an explicit
/// partitionNumber wins (out of range is an error) — else Sarama v1.48 partitioner.go NewHashPartitioner: a key is
/// hashed with FNV-1a 32, <c>int32(hash) % n</c>, negated when negative; no key → a random partition.
/// </summary>
public static class SaramaPartitioner
{
    public static int ForKey(ReadOnlySpan<byte> key, int numPartitions)
    {
        var hash = 2166136261u; // FNV-1a offset basis
        foreach (var b in key) hash = (hash ^ b) * 16777619u;
        var partition = unchecked((int)hash) % numPartitions;
        return partition < 0 ? -partition : partition;
    }

    /// <summary>The partition for one message, or the partitioner's error text.</summary>
    public static int Choose(byte[]? key, int? explicitPartition, int numPartitions)
    {
        if (explicitPartition is { } p)
            return p < numPartitions
                ? p
                : throw new InvalidOperationException($"partition number {p} is out of range, topic has {numPartitions} partitions");
        return key is null ? Random.Shared.Next(numPartitions) : ForKey(key, numPartitions);
    }
}
