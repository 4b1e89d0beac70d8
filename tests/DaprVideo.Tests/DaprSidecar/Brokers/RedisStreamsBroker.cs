using System.Text.Json;
using System.Threading.Channels;
using StackExchange.Redis;

namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// pubsub.redis over a real redis-server, following contrib pubsub/redis/redis.go (v1.18.4 = dapr's go.mod):
/// Publish = XADD stream [MAXLEN ~ maxLenApprox | MINID ~ now−streamTTL] * data &lt;bytes&gt; metadata &lt;json&gt;.
/// Subscribe = XGROUP CREATE stream consumerID 0 MKSTREAM (BUSYGROUP ignored; a new group reads what the stream
/// holds), then a reader loop XREADGROUP GROUP consumerID consumerID COUNT queueDepth ">" — every sidecar of the
/// group uses the SAME consumer name — and a reclaim loop: at start and every redeliverInterval, XPENDING - +
/// queueDepth, entries idle ≥ processingTimeout are XCLAIMed (min-idle processingTimeout) and handled again.
/// One bounded queue of queueDepth and <c>concurrency</c> workers per component (shared by all its topics).
/// The handler's token ends after processingTimeout (when redelivery is on) or when the subscription ends.
/// Handler success → XACK. Handler error → XACK too (contrib #4208, "honor resiliency policy": daprd's retries
/// already ran inside the handler) UNLESS the handler's token was cancelled (timeout, shutdown): then no ack, the
/// entry stays pending and is reclaimed after processingTimeout. Close cancels subscriptions, closes the client
/// and only then waits for in-flight handlers, so their XACK fails and those entries are redelivered later.
/// Not modelled: cluster/sentinel, TLS certificates, Entra ID/OIDC auth; XREADGROUP without readTimeout blocks in
/// 1 s slices on a dedicated connection (go-redis blocks without limit; same deliveries); after a read error the
/// loop pauses 0.5 s (go-redis's own retry backoff) instead of go-redis's 3 retries of 8–512 ms.
/// </summary>
public sealed class RedisStreamsBroker : IPubSubBroker
{
    private const int ForeverBlockSliceMs = 1000;

    private readonly ConfigurationOptions _options;
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly Channel<QueuedMessage> _queue;
    private readonly CancellationTokenSource _closing = new();
    private readonly Task[] _workers;
    private readonly object _gate = new();
    private readonly List<Subscription> _subscriptions = [];
    private int _closed;

    private RedisStreamsBroker(RedisStreamsSettings settings, ConfigurationOptions options, ConnectionMultiplexer connection)
    {
        Settings = settings;
        _options = options;
        _connection = connection;
        _db = connection.GetDatabase(settings.Database);
        // A Go channel of queueDepth; 0 would be unbuffered (a hand-over), the closest bounded channel holds one.
        _queue = Channel.CreateBounded<QueuedMessage>(new BoundedChannelOptions(Math.Max(1, settings.QueueDepth)) { FullMode = BoundedChannelFullMode.Wait });
        _workers = [.. Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(WorkerAsync))];
    }

    public string ComponentType => "pubsub.redis";

    public RedisStreamsSettings Settings { get; }

    public ComponentLog Log { get; } = new();

    /// <summary>Init: parse, connect and PING; a failure is daprd's component init error (daprd exits).</summary>
    public static RedisStreamsBroker Connect(RedisStreamsSettings settings)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { settings.Address },
            Password = settings.Password.Length == 0 ? null : settings.Password,
            User = settings.Username.Length == 0 ? null : settings.Username,
            Ssl = settings.EnableTls,
            DefaultDatabase = settings.Database,
            AbortOnConnectFail = true,
            ConnectTimeout = 5000, // go-redis DialTimeout default
            ConnectRetry = 1,
            BacklogPolicy = BacklogPolicy.FailFast, // go-redis fails a command on a lost connection instead of queueing it
            Protocol = RedisProtocol.Resp2, // replies as nested arrays, as parsed below
        };
        try
        {
            var connection = ConnectionMultiplexer.Connect(options);
            connection.GetDatabase(settings.Database).Ping();
            return new RedisStreamsBroker(settings, options, connection);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new InvalidDataException($"redis streams: error connecting to redis at {settings.Host}: {ex.Message}", ex);
        }
    }

    public async Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) != 0) throw new BrokerPublishException("component is closed", retriable: false);
        var args = new List<object> { topic };
        if (Settings.MaxLenApprox > 0) args.AddRange(["MAXLEN", "~", Settings.MaxLenApprox]);
        else if (Settings.MinId(DateTimeOffset.UtcNow) is { } minId) args.AddRange(["MINID", "~", minId]);
        args.AddRange(["*", "data", data]);
        // contrib stores metadata only when the request has some (a nil Go map); json.Marshal sorts the keys.
        if (metadata.Count > 0)
            args.AddRange(["metadata", JsonSerializer.SerializeToUtf8Bytes(new SortedDictionary<string, string>(metadata.ToDictionary(), StringComparer.Ordinal))]);
        try
        {
            await _db.ExecuteAsync("XADD", args).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            throw new BrokerPublishException($"redis streams: error from publish: {ex.Message}", retriable: true, ex);
        }
    }

    public async Task<IAsyncDisposable> SubscribeAsync(string topic, BrokerHandler handler, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) != 0) throw new InvalidOperationException("component is closed");
        await CreateConsumerGroupAsync(topic, failOnError: true);

        // XREADGROUP blocks its connection, so each subscription reads on its own one.
        var readerOptions = _options.Clone();
        readerOptions.AsyncTimeout = readerOptions.SyncTimeout = ForeverBlockSliceMs + 10_000;
        ConnectionMultiplexer reader;
        try
        {
            reader = await ConnectionMultiplexer.ConnectAsync(readerOptions);
        }
        catch (RedisException ex)
        {
            throw new InvalidOperationException($"redis streams: error connecting to redis at {Settings.Host}: {ex.Message}", ex);
        }
        var subscription = new Subscription(this, topic, handler, reader, _closing.Token);
        lock (_gate) _subscriptions.Add(subscription);
        subscription.Start();
        return subscription;
    }

    /// <summary>Close: stop subscriptions and workers, close the client, then wait for in-flight handlers (their XACK then fails).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        await _closing.CancelAsync();
        Subscription[] subscriptions;
        lock (_gate) subscriptions = [.. _subscriptions];
        foreach (var s in subscriptions) await s.DisposeAsync();
        await _connection.CloseAsync(allowCommandsToComplete: false);
        await Task.WhenAll(_workers);
        _connection.Dispose();
        _closing.Dispose();
    }

    private async Task CreateConsumerGroupAsync(string stream, bool failOnError)
    {
        try
        {
            await _db.ExecuteAsync("XGROUP", "CREATE", stream, Settings.ConsumerGroup, "0", "MKSTREAM");
        }
        catch (RedisServerException ex) when (ex.Message == "BUSYGROUP Consumer Group name already exists")
        {
        }
        catch (RedisException ex)
        {
            Log.Write($"redis streams: {ex.Message}");
            if (failOnError) throw new InvalidOperationException(ex.Message, ex);
        }
    }

    private async Task WorkerAsync()
    {
        while (true)
        {
            QueuedMessage message;
            try
            {
                message = await _queue.Reader.ReadAsync(_closing.Token);
            }
            catch (OperationCanceledException)
            {
                return; // closeCh: messages still queued stay pending in Redis
            }
            await ProcessAsync(message);
        }
    }

    private async Task ProcessAsync(QueuedMessage queued)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(queued.SubscriptionToken);
        if (Settings.RedeliveryEnabled) deadline.CancelAfter(Settings.ProcessingTimeout);
        var id = queued.Message.MessageId;
        try
        {
            await queued.Handler(queued.Message, deadline.Token);
        }
        catch (Exception ex)
        {
            Log.Write($"Error processing Redis message {id}: {ex.Message}");
            if (deadline.IsCancellationRequested) return; // timeout or shutdown: no ack, redelivered after processingTimeout
        }
        try
        {
            await _db.ExecuteAsync("XACK", queued.Message.Topic, Settings.ConsumerGroup, id);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.Write($"Error acknowledging Redis message {id}: {ex.Message}");
        }
    }

    private async Task EnqueueAsync(string stream, BrokerHandler handler, IEnumerable<(string Id, byte[] Data, string? Metadata)> entries, CancellationToken cancellationToken)
    {
        foreach (var (id, data, metadataJson) in entries)
        {
            var message = new BrokerMessage(stream, data, ParseMetadata(id, metadataJson), id);
            try
            {
                await _queue.Writer.WriteAsync(new QueuedMessage(message, handler, cancellationToken), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return; // read but never handled: it stays pending and is reclaimed
            }
        }
    }

    private Dictionary<string, string> ParseMetadata(string id, string? json)
    {
        if (json is null) return new Dictionary<string, string>();
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        }
        catch (JsonException ex)
        {
            Log.Write($"Redis PubSub: Could not extract metadata for Redis message {id}: {ex.Message}");
            return new Dictionary<string, string>();
        }
    }

    private async Task PollNewMessagesLoopAsync(string stream, BrokerHandler handler, ConnectionMultiplexer reader, CancellationToken cancellationToken)
    {
        var db = reader.GetDatabase(Settings.Database);
        var blockMs = Settings.ReadTimeout > TimeSpan.Zero ? (long)Settings.ReadTimeout.TotalMilliseconds : ForeverBlockSliceMs;
        while (!cancellationToken.IsCancellationRequested)
        {
            var args = new List<object> { "GROUP", Settings.ConsumerGroup, Settings.ConsumerGroup };
            if (Settings.QueueDepth > 0) args.AddRange(["COUNT", Settings.QueueDepth]);
            args.AddRange(["BLOCK", blockMs, "STREAMS", stream, ">"]);
            RedisResult result;
            try
            {
                result = await db.ExecuteAsync("XREADGROUP", args);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RedisServerException ex) when (ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
            {
                Log.Write($"redis streams: consumer group {Settings.ConsumerGroup} does not exist for stream {stream}. This could mean the server experienced data loss, or the group/stream was deleted.");
                Log.Write($"redis streams: recreating group {Settings.ConsumerGroup} for stream {stream}");
                await CreateConsumerGroupAsync(stream, failOnError: false);
                Log.Write($"redis streams: error reading from stream {stream}: {ex.Message}");
                continue;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                Log.Write($"redis streams: error reading from stream {stream}: {ex.Message}");
                try { await Task.Delay(500, cancellationToken); } // go-redis's retry backoff before it gives up
                catch (OperationCanceledException) { return; }
                continue;
            }
            if (result.IsNull) continue;
            foreach (var streamResult in (RedisResult[])result!)
            {
                var parts = (RedisResult[])streamResult!;
                await EnqueueAsync((string)parts[0]!, handler, Entries(parts[1]), cancellationToken);
            }
        }
    }

    private async Task ReclaimPendingMessagesLoopAsync(string stream, BrokerHandler handler, CancellationToken cancellationToken)
    {
        if (!Settings.RedeliveryEnabled) return;
        await ReclaimPendingMessagesAsync(stream, handler, cancellationToken);
        using var ticker = new PeriodicTimer(Settings.RedeliverInterval);
        try
        {
            while (await ticker.WaitForNextTickAsync(cancellationToken))
                await ReclaimPendingMessagesAsync(stream, handler, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReclaimPendingMessagesAsync(string stream, BrokerHandler handler, CancellationToken cancellationToken)
    {
        var minIdleMs = (long)Settings.ProcessingTimeout.TotalMilliseconds;
        while (!cancellationToken.IsCancellationRequested)
        {
            RedisResult pending;
            try
            {
                pending = await _db.ExecuteAsync("XPENDING", stream, Settings.ConsumerGroup, "-", "+", Settings.QueueDepth);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                Log.Write($"error retrieving pending Redis messages: {ex.Message}");
                break;
            }
            var idleIds = ((RedisResult[])pending!)
                .Select(p => (RedisResult[])p!)
                .Where(p => (long)p[2] >= minIdleMs)
                .Select(p => (string)p[0]!)
                .ToList();
            if (idleIds.Count == 0) break;

            var claimArgs = new List<object> { stream, Settings.ConsumerGroup, Settings.ConsumerGroup, minIdleMs };
            claimArgs.AddRange(idleIds);
            RedisResult claimed;
            try
            {
                claimed = await _db.ExecuteAsync("XCLAIM", claimArgs);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                Log.Write($"error claiming pending Redis messages: {ex.Message}");
                break;
            }
            await EnqueueAsync(stream, handler, Entries(claimed), cancellationToken);
        }
    }

    // Stream entries [[id, [field, value, ...]], ...]; an entry deleted from the stream comes back without fields
    // (Redis 7 drops it from the pending list itself), so it is skipped.
    private static IEnumerable<(string Id, byte[] Data, string? Metadata)> Entries(RedisResult result)
    {
        if (result.IsNull) yield break;
        foreach (var entry in (RedisResult[])result!)
        {
            if (entry.IsNull) continue;
            var parts = (RedisResult[])entry!;
            if (parts.Length < 2 || parts[1].IsNull) continue;
            var fields = (RedisResult[])parts[1]!;
            byte[] data = [];
            string? metadata = null;
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                var name = (string?)fields[i];
                if (name == "data") data = (byte[]?)fields[i + 1] ?? [];
                else if (name == "metadata") metadata = (string?)fields[i + 1];
            }
            yield return ((string)parts[0]!, data, metadata);
        }
    }

    private sealed record QueuedMessage(BrokerMessage Message, BrokerHandler Handler, CancellationToken SubscriptionToken);

    /// <summary>One Subscribe: its reader and reclaim loops; disposing cancels them (the subscription context).</summary>
    private sealed class Subscription(RedisStreamsBroker broker, string stream, BrokerHandler handler, ConnectionMultiplexer reader, CancellationToken closing) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(closing);
        private Task _poll = Task.CompletedTask;
        private Task _reclaim = Task.CompletedTask;
        private int _disposed;

        public void Start()
        {
            _poll = Task.Run(() => broker.PollNewMessagesLoopAsync(stream, handler, reader, _cts.Token));
            _reclaim = Task.Run(() => broker.ReclaimPendingMessagesLoopAsync(stream, handler, _cts.Token));
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            await _cts.CancelAsync();
            await reader.CloseAsync(allowCommandsToComplete: false); // ends a blocked XREADGROUP
            await Task.WhenAll(_poll, _reclaim);
            reader.Dispose();
            lock (broker._gate) broker._subscriptions.Remove(this);
            // _cts is not disposed: queued messages still carry its (cancelled) token.
        }
    }
}
