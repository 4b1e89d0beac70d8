using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapr;
using Dapr.Client;
using DaprVideo.Core;
using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// <see cref="IEventPublisher"/> over Dapr pub/sub. Events are serialized with the pipeline's own JSON context
/// (the shape stored records and the embedded bus use) and sent as <c>application/json</c>, so daprd embeds
/// them as the CloudEvent's <c>data</c>.
/// </summary>
/// <remarks>
/// Trace context: daprd takes the W3C <c>traceparent</c> of the incoming gRPC call (the HttpClient under
/// Grpc.Net.Client injects it from <see cref="Activity.Current"/>) and writes it into the CloudEvent's
/// <c>traceparent</c>/<c>traceid</c>, then sends it as the <c>traceparent</c> header when it delivers.
/// Request metadata <c>cloudevent.traceparent</c>/<c>cloudevent.tracestate</c> override those envelope fields;
/// we set them too so the link survives a client without header propagation.
/// </remarks>
public sealed class DaprEventPublisher : IEventPublisher
{
    /// <summary>Claim-check: an event is keys and metadata, far below daprd's 4 MiB body limit.</summary>
    public const int MaxEventBytes = 64 * 1024;

    public const string TraceParentMetadata = "cloudevent.traceparent";

    /// <summary>
    /// Dapr publish metadata that picks the Kafka partition (components-contrib common/component/kafka/producer.go;
    /// other brokers ignore it). Keyed by stream: one stream's events keep their order, streams spread over partitions.
    /// </summary>
    public const string PartitionKeyMetadata = "partitionKey";

    public const string TraceStateMetadata = "cloudevent.tracestate";

    private static readonly JsonSerializerOptions DefaultJson = new(CoreJsonContext.Default.Options)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(CoreJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    private readonly DaprClient _client;
    private readonly string _pubsub;
    private readonly JsonSerializerOptions _json;

    public DaprEventPublisher(DaprClient client, DaprOptions options, JsonSerializerOptions? json = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _pubsub = options.PubsubName;
        _json = json ?? DefaultJson;
    }

    /// <summary>The serializer options events are written with (subscriptions read with the same).</summary>
    public static JsonSerializerOptions EventJson => DefaultJson;

    public async Task PublishAsync<TEvent>(string topic, TEvent message, CancellationToken cancellationToken = default)
        where TEvent : class
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);

        var body = JsonSerializer.SerializeToUtf8Bytes(message, _json);
        if (body.Length > MaxEventBytes)
            throw new InvalidOperationException(
                $"{typeof(TEvent).Name} on '{topic}' is {body.Length} bytes; events carry keys, not payloads (limit {MaxEventBytes}).");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (message is IStreamEvent streamEvent) metadata[PartitionKeyMetadata] = streamEvent.StreamId;
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            metadata[TraceParentMetadata] = activity.Id!;
            if (!string.IsNullOrEmpty(activity.TraceStateString)) metadata[TraceStateMetadata] = activity.TraceStateString;
        }

        try
        {
            await _client.PublishByteEventAsync(_pubsub, topic, body, "application/json", metadata, cancellationToken);
        }
        catch (DaprException e)
        {
            var detail = e.InnerException is Grpc.Core.RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
            throw new IOException($"Publishing {typeof(TEvent).Name} to '{_pubsub}/{topic}' failed: {detail}", e);
        }
    }
}
