using System.Globalization;
using System.Text;

namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// pubsub.kafka as one sidecar's client of a shared <see cref="KafkaClusterModel"/>, following contrib
/// common/component/kafka (v1.18.4, Sarama v1.48.1).
/// Publish (producer.go): partitionKey (or __key) is the record key, partitionNumber an explicit partition, and every
/// metadata entry also becomes a header; Sarama refuses a record whose ByteSize (36 + Σ(header key+value+10) + key +
/// value) exceeds Producer.MaxMessageBytes with "kafka: invalid configuration (Attempt to produce message larger than
/// configured Producer.MaxMessageBytes: size &gt; max)"; the partition comes from <see cref="SaramaPartitioner"/>.
/// Subscribe (subscriber.go): the component is ONE group member for all its topics; each Subscribe or unsubscribe
/// re-runs Consume with the new topic list (a rebalance for the whole group). ConsumeClaim (consumer.go), one loop
/// per assigned partition, partitions in parallel: one message at a time; with consumeRetryEnabled (default) a
/// failing handler is retried in place on the "backOff…" schedule (constant 5 s, forever by default), blocking the
/// partition; success marks (commits) offset+1; when retries run out the message is logged and left unmarked and
/// the loop moves on (the next success commits past it); a session ending (rebalance, leave) abandons the retry and
/// the message is redelivered to the next owner from the committed offset. The handler's token is the session's.
/// A partition with no committed offset starts at its end (initialOffset newest) or beginning (oldest).
/// Not modelled: bulk subscribe, schema registry, TLS/SASL, excludeHeaderMetaRegex, escapeHeaders, Sarama's
/// claim prefetch (ChannelBufferSize), heartbeat delays before members notice a rebalance.
/// </summary>
public sealed class KafkaBroker : IPubSubBroker
{
    // Sarama record.go maximumRecordOverhead (record format v2, used from Kafka 0.11; contrib's default version is 2.0.0).
    private const int MaximumRecordOverhead = (5 * 5) + 10 + 1;
    private const int MaxVarintLen32 = 5;

    private readonly KafkaClusterModel _cluster;
    private readonly KafkaConsumerGroupModel _group;
    private readonly KafkaConsumerGroupModel.Member _member;
    private readonly SemaphoreSlim _subscribeLock = new(1, 1);
    private readonly Dictionary<string, BrokerHandler> _subscribeTopics = new(StringComparer.Ordinal);
    private int _closed;

    private KafkaBroker(KafkaSettings settings, KafkaClusterModel cluster)
    {
        Settings = settings;
        _cluster = cluster;
        _group = cluster.Group(settings.ConsumerGroup);
        _member = _group.NewMember(settings.ClientId, settings.RebalanceStrategy, settings.SessionTimeout, settings.InitialOffsetOldest, ConsumeClaimAsync);
        foreach (var warning in settings.Warnings) Log.Write(warning);
    }

    public string ComponentType => "pubsub.kafka";

    public KafkaSettings Settings { get; }

    public ComponentLog Log { get; } = new();

    /// <summary>This client's current member id in its group (Sarama: clientId-uuid).</summary>
    public string MemberId => _member.Id;

    /// <summary>Init: the client must reach the cluster through one of its brokers.</summary>
    public static KafkaBroker Connect(KafkaSettings settings, KafkaClusterModel cluster)
    {
        if (!settings.Brokers.Any(b => string.Equals(b.Trim(), cluster.BootstrapServers, StringComparison.OrdinalIgnoreCase)))
            throw new InvalidDataException(
                "failed to get latest Kafka clients for initialization: kafka: client has run out of available brokers to talk to: " +
                $"dial tcp {settings.Brokers[^1].Trim()}: connect: connection refused");
        return new KafkaBroker(settings, cluster);
    }

    public Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) != 0) throw new BrokerPublishException("component is closed", retriable: false);
        byte[]? key = null;
        int? partitionNumber = null;
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in metadata)
        {
            if (name is "partitionKey" or "__key") key = Encoding.UTF8.GetBytes(value);
            else if (name == "partitionNumber")
            {
                if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p))
                    throw new BrokerPublishException($"invalid partitionNumber metadata value \"{value}\": strconv.ParseInt: parsing \"{value}\": invalid syntax", retriable: true);
                if (p < 0) throw new BrokerPublishException($"partitionNumber must be non-negative, got {p}", retriable: true);
                partitionNumber = p;
            }
            headers.Add(new(name, value));
        }

        var size = MaximumRecordOverhead + (key?.Length ?? 0) + data.Length
            + headers.Sum(h => Encoding.UTF8.GetByteCount(h.Key) + Encoding.UTF8.GetByteCount(h.Value) + (2 * MaxVarintLen32));
        if (size > Settings.EffectiveMaxMessageBytes)
            throw new BrokerPublishException(
                $"kafka: invalid configuration (Attempt to produce message larger than configured Producer.MaxMessageBytes: {size} > {Settings.EffectiveMaxMessageBytes})",
                retriable: true);

        var logs = _cluster.Topic(topic);
        int partition;
        try
        {
            partition = SaramaPartitioner.Choose(key, partitionNumber, logs.Length);
        }
        catch (InvalidOperationException ex)
        {
            throw new BrokerPublishException(ex.Message, retriable: true, ex);
        }
        logs[partition].Append(offset => new KafkaRecord(topic, partition, offset, key, data, headers, _cluster.Time.GetUtcNow()));
        return Task.CompletedTask;
    }

    public async Task<IAsyncDisposable> SubscribeAsync(string topic, BrokerHandler handler, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) != 0) throw new InvalidOperationException("component is closed");
        await _subscribeLock.WaitAsync(cancellationToken);
        try
        {
            lock (_subscribeTopics) _subscribeTopics[topic] = handler;
            await ReloadConsumerGroupAsync();
        }
        finally
        {
            _subscribeLock.Release();
        }
        return new Subscription(this, topic);
    }

    /// <summary>Close: the member leaves the group at once (LeaveGroup) after its in-flight handlers return.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        await _subscribeLock.WaitAsync();
        try
        {
            lock (_subscribeTopics) _subscribeTopics.Clear();
            await _group.LeaveAsync(_member);
        }
        finally
        {
            _subscribeLock.Release();
        }
    }

    // subscriber.go reloadConsumerGroup: restart Consume with the current topics, or stop consuming when none are left.
    private Task ReloadConsumerGroupAsync() =>
        _subscribeTopics.Count == 0 || Volatile.Read(ref _closed) != 0
            ? _group.StopConsumingAsync(_member)
            : _group.ConsumeAsync(_member, [.. _subscribeTopics.Keys]);

    private async Task UnsubscribeAsync(string topic)
    {
        await _subscribeLock.WaitAsync();
        try
        {
            bool removed;
            lock (_subscribeTopics) removed = _subscribeTopics.Remove(topic);
            if (Volatile.Read(ref _closed) != 0 || !removed) return;
            await ReloadConsumerGroupAsync();
        }
        finally
        {
            _subscribeLock.Release();
        }
    }

    private async Task ConsumeClaimAsync(TopicPartition claim, long offset, CancellationToken session)
    {
        var log = _cluster.Topic(claim.Topic)[claim.Partition];
        while (!session.IsCancellationRequested)
        {
            KafkaRecord record;
            try
            {
                record = await log.ReadAsync(offset, session);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // The session check comes before each message, so a cancelled retry never falls through to the next one.
            if (session.IsCancellationRequested) return;
            offset = record.Offset + 1;
            var where = $"{record.Topic}/{record.Partition}/{record.Offset} [key={(record.Key is null ? "" : Convert.ToBase64String(record.Key))}]";

            if (!Settings.ConsumeRetryEnabled)
            {
                if (await DoCallbackAsync(claim, record, session) is { } error)
                    Log.Write($"Error processing Kafka message: {where}. Error: {error.Message}.");
                continue;
            }

            var schedule = Settings.BackOff.NewBackOff(_cluster.Time, Random.Shared.NextDouble);
            var failed = false;
            while (true)
            {
                var error = await DoCallbackAsync(claim, record, session);
                if (error is null)
                {
                    if (failed) Log.Write($"Successfully processed Kafka message after it previously failed: {where}");
                    break;
                }
                var wait = session.IsCancellationRequested ? null : schedule.Next();
                if (wait is null)
                {
                    if (session.IsCancellationRequested) return; // shutdown/rebalance: left unmarked, redelivered to the next owner
                    Log.Write($"Too many failed attempts at processing Kafka message: {where}. Error: {error.Message}.");
                    break;
                }
                if (!failed) Log.Write($"Error processing Kafka message: {where}. Error: {error.Message}. Retrying...");
                failed = true;
                try
                {
                    await Task.Delay(wait.Value, _cluster.Time, session);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<Exception?> DoCallbackAsync(TopicPartition claim, KafkaRecord record, CancellationToken session)
    {
        BrokerHandler? handler;
        lock (_subscribeTopics) _subscribeTopics.TryGetValue(record.Topic, out handler);
        if (handler is null) return new InvalidOperationException($"any handler for messages of topic {record.Topic} not found");
        try
        {
            await handler(new BrokerMessage(record.Topic, record.Value, EventMetadata(record), $"{record.Topic}/{record.Partition}/{record.Offset}"), session);
        }
        catch (Exception ex)
        {
            return ex;
        }
        _group.Commit(claim, record.Offset + 1);
        return null;
    }

    // consumer.go GetEventMetadata: __key, __offset, __topic, __timestamp (ms), __partition, then the headers.
    private static Dictionary<string, string> EventMetadata(KafkaRecord record)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (record.Key is not null) metadata["__key"] = Encoding.UTF8.GetString(record.Key);
        metadata["__offset"] = record.Offset.ToString(CultureInfo.InvariantCulture);
        metadata["__topic"] = record.Topic;
        metadata["__timestamp"] = record.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        metadata["__partition"] = record.Partition.ToString(CultureInfo.InvariantCulture);
        foreach (var (k, v) in record.Headers) metadata[k] = v;
        return metadata;
    }

    private sealed class Subscription(KafkaBroker broker, string topic) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) await broker.UnsubscribeAsync(topic);
        }
    }
}
