namespace DaprVideo.Core.Events;

/// <summary>
/// An event about one stream. Brokers that order per key (Kafka partitions) use <see cref="StreamId"/> as
/// the key, so one stream's events stay in order while different streams spread over partitions.
/// </summary>
public interface IStreamEvent
{
    string StreamId { get; }
}
