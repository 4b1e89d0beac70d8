namespace DaprVideo.Core.Ports;

/// <summary>Publishes a domain event to a topic (in-process channel bus or Dapr pub/sub).</summary>
public interface IEventPublisher
{
    Task PublishAsync<TEvent>(string topic, TEvent message, CancellationToken cancellationToken = default)
        where TEvent : class;
}
