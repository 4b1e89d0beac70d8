using System.Text.Json;
using System.Text.Json.Nodes;
using DaprVideo.Tests.DaprSidecar.Brokers;
using DaprVideo.Tests.DaprSidecar.Resiliency;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// daprd's subscription side over a real broker component (dapr/dapr pkg/runtime/subscription/subscription.go):
/// reads the app's <c>GET /dapr/subscribe</c>, skips topics the component's <c>subscriptionScopes</c> deny, subscribes
/// through the broker, and for each message: parses the CloudEvent (unparsable → dead letter if the route has
/// one, else an error back to the component), delivers it to the route under the component's inbound Resiliency
/// policy (<see cref="AppPostman"/> reads the answer), sends DROP/404 to the dead-letter topic, and after the
/// policy gives up sends the message to the dead-letter topic when there is one or returns the error to the
/// component, which then does what it does with a failed message (Redis since contrib 1.17: acknowledges it;
/// Kafka: retries it in place, blocking the partition).
/// Dead letters are published like any message: subject to <c>publishingScopes</c> and the outbound policy.
/// </summary>
public sealed class DaprdSubscriptions(string appId, IReadOnlyDictionary<string, PubSubComponent> pubsubs, ResiliencySpec resiliency, AppPostman postman) : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private readonly List<DeliveryRecord> _deliveries = [];
    private readonly List<UndeliveredMessage> _undelivered = [];
    private readonly List<string> _skipped = [];
    private readonly CancellationTokenSource _stopping = new();

    public IReadOnlyList<DeliveryRecord> Deliveries { get { lock (_gate) return [.. _deliveries]; } }

    /// <summary>Messages that ended without SUCCESS: dead-lettered, or dropped where the route has no dead-letter topic.</summary>
    public IReadOnlyList<UndeliveredMessage> Undelivered { get { lock (_gate) return [.. _undelivered]; } }


    /// <summary>Subscriptions daprd refused ("subscription to topic ... is not allowed").</summary>
    public IReadOnlyList<string> Skipped { get { lock (_gate) return [.. _skipped]; } }

    public async Task StartAsync(Uri appAddress, CancellationToken cancellationToken)
    {
        foreach (var s in await postman.SubscriptionsAsync(appAddress, cancellationToken))
        {
            if (!pubsubs.TryGetValue(s.PubsubName, out var pubsub))
            {
                lock (_gate) _skipped.Add($"{s.Topic}: pubsub {s.PubsubName} not found");
                continue;
            }
            if (!pubsub.Rules.MaySubscribe(appId, s.Topic))
            {
                lock (_gate) _skipped.Add(PubSub.TopicRules.SubscriptionDeniedMessage(s.PubsubName, s.Topic));
                continue;
            }
            var subscription = await pubsub.Broker.SubscribeAsync(s.Topic, (m, ct) => HandleAsync(appAddress, pubsub, s, m, ct), cancellationToken);
            lock (_gate) _subscriptions.Add(subscription);
        }
    }

    private async Task HandleAsync(Uri app, PubSubComponent pubsub, AppSubscription route, BrokerMessage message, CancellationToken ct)
    {
        JsonObject cloudEvent;
        try
        {
            cloudEvent = JsonNode.Parse(message.Data)?.AsObject() ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            if (await DeadLetterAsync(pubsub, route, message, "unparsable CloudEvent", ct)) return;
            throw new InvalidDataException($"error deserializing cloud event in pubsub {pubsub.Name} and topic {message.Topic}: {e.Message}");
        }

        var eventId = (string?)cloudEvent["id"] ?? message.MessageId;
        var attempt = 0;
        var policy = resiliency.ComponentInbound(pubsub.Name);
        // daprd runs the policy on context.Background() (subscription.go): the component's deadline (Redis
        // processingTimeout) does not stop a delivery in progress, so a reclaim while the app still works is a duplicate.
        var token = _stopping.Token;
        async Task<bool> Deliver(CancellationToken attemptToken)
        {
            if (await DeliverOnceAsync(app, route, message, cloudEvent, eventId, ++attempt, attemptToken)) return true;
            // DROP (or 404): to the dead-letter topic; if that publish fails the drop is an error, retried by the policy.
            if (route.DeadLetterTopic is null)
            {
                Record(route, eventId, "dropped by the app");
                return true;
            }
            if (!await DeadLetterAsync(pubsub, route, message, "dropped by the app", attemptToken))
                throw new RetriableDeliveryException($"pubsub message dropped, and sending it to {route.DeadLetterTopic} failed");
            return true;
        }
        try
        {
            _ = policy is null ? await Deliver(token) : await policy.RunAsync(Deliver, token);
        }
        catch (Exception e) when (!token.IsCancellationRequested)
        {
            // After the policy: the dead-letter topic if the route has one, else the error goes back to the component.
            if (await DeadLetterAsync(pubsub, route, message, $"{attempt} attempts, last: {e.Message}", token)) return;
            throw;
        }
    }

    private async Task<bool> DeliverOnceAsync(Uri app, AppSubscription route, BrokerMessage message, JsonObject cloudEvent, string eventId, int attempt, CancellationToken ct)
    {
        var (outcome, status) = await postman.DeliverAsync(app, route.Route, message.Data, (string?)cloudEvent["traceparent"], (string?)cloudEvent["tracestate"], ct);
        lock (_gate) _deliveries.Add(new DeliveryRecord(appId, message.Topic, route.Route, eventId, attempt, Duplicate: false, outcome, status));
        return outcome switch
        {
            DeliveryOutcome.Success => true,
            DeliveryOutcome.Drop => false,
            DeliveryOutcome.Unreachable => throw new RetriableDeliveryException($"error returned from app channel while sending pub/sub event to app (event {eventId})"),
            _ => throw new RetriableDeliveryException($"retriable error returned from app while processing pub/sub event {eventId}, status code returned: {status}"),
        };
    }

    /// <summary>daprd's sendToDeadLetter: a publish of the original message to the route's dead-letter topic.</summary>
    private async Task<bool> DeadLetterAsync(PubSubComponent pubsub, AppSubscription route, BrokerMessage message, string reason, CancellationToken ct)
    {
        if (route.DeadLetterTopic is not { } topic) return false;
        if (!pubsub.Rules.MayPublish(appId, topic))
        {
            Record(route, message.MessageId, $"{reason}; dead letter refused: {pubsub.Rules.PublishDeniedMessage(appId, topic)}");
            return false;
        }
        var publish = resiliency.ComponentOutbound(pubsub.Name);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30)); // deadLetterPublishTimeout
        async Task<bool> Publish(CancellationToken t)
        {
            await pubsub.Broker.PublishAsync(topic, message.Data, message.Metadata, t);
            return true;
        }
        try
        {
            _ = publish is null ? await Publish(timeout.Token) : await publish.RunAsync(Publish, timeout.Token);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Record(route, message.MessageId, $"{reason}; dead letter failed: {e.Message}");
            return false;
        }
        lock (_gate) _undelivered.Add(new UndeliveredMessage(message.Topic, EventId(message), topic, reason));
        return true;
    }

    private static string EventId(BrokerMessage message)
    {
        try
        {
            return (string?)JsonNode.Parse(message.Data)?["id"] ?? message.MessageId;
        }
        catch (JsonException)
        {
            return message.MessageId;
        }
    }

    private void Record(AppSubscription route, string eventId, string reason)
    {
        lock (_gate) _undelivered.Add(new UndeliveredMessage(route.Topic, eventId, null, reason));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        IAsyncDisposable[] subscriptions;
        lock (_gate) subscriptions = [.. _subscriptions];
        foreach (var s in subscriptions) await s.DisposeAsync();
        _stopping.Dispose();
    }
}

/// <summary>daprd's rterrors.RetriableError: the inbound policy retries it.</summary>
public sealed class RetriableDeliveryException(string message) : Exception(message);
