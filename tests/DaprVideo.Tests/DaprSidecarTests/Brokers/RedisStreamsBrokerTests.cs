using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using DaprVideo.Tests.DaprSidecar.Brokers;
using DaprVideo.Tests.Infrastructure;
using StackExchange.Redis;

namespace DaprVideo.Tests.DaprSidecarTests.Brokers;

/// <summary>pubsub.redis against a real redis-server: group sharing, acks, reclaim after processingTimeout, concurrency.</summary>
[Collection(RedisServerCollectionDefinition.Name)]
[Trait("Speed", "Slow")]
public sealed class RedisStreamsBrokerTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();
    private readonly string _topic = "frames-" + Guid.NewGuid().ToString("N");
    private readonly List<IAsyncDisposable> _owned = [];
    private ConnectionMultiplexer _inspector = null!;

    public async Task InitializeAsync() => _inspector = await ConnectionMultiplexer.ConnectAsync(redis.Host);

    public async Task DisposeAsync()
    {
        foreach (var d in Enumerable.Reverse(_owned)) await d.DisposeAsync();
        await _inspector.DisposeAsync();
    }

    private IPubSubBroker Sidecar(string appId, params (string Key, string Value)[] extra)
    {
        var md = new Dictionary<string, string> { ["redisHost"] = redis.Host };
        foreach (var (k, v) in extra) md[k] = v;
        var broker = PubSubBrokers.Create("pubsub.redis", md, appId);
        _owned.Add(broker);
        return broker;
    }

    private Task PublishAsync(IPubSubBroker broker, string text) =>
        broker.PublishAsync(_topic, Encoding.UTF8.GetBytes(text), NoMetadata, CancellationToken.None);

    private async Task<long> PendingAsync(string group)
    {
        var info = await _inspector.GetDatabase().StreamPendingAsync(_topic, group);
        return info.PendingMessageCount;
    }

    [Fact]
    public async Task Two_members_of_one_group_share_the_messages_each_handled_once()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentBag<(string Member, string Text)>();
        var entered = new ConcurrentDictionary<string, int>();
        BrokerHandler Handler(string member) => async (m, ct) =>
        {
            entered.AddOrUpdate(member, 1, (_, n) => n + 1);
            await gate.Task.WaitAsync(ct);
            handled.Add((member, Encoding.UTF8.GetString(m.Data)));
        };
        // One worker and a queue of one each: a member holds at most a few messages, the other gets the rest.
        var a = Sidecar("inference", ("concurrency", "1"), ("queueDepth", "1"));
        var b = Sidecar("inference", ("concurrency", "1"), ("queueDepth", "1"));
        _owned.Add(await a.SubscribeAsync(_topic, Handler("a"), CancellationToken.None));
        _owned.Add(await b.SubscribeAsync(_topic, Handler("b"), CancellationToken.None));
        var publisher = Sidecar("ingest");
        for (var i = 0; i < 12; i++) await PublishAsync(publisher, $"m{i}");

        await Eventually.HoldsAsync(() => Task.FromResult(entered.Count), n => n == 2, "both members handling a message at once", 30);
        gate.SetResult();
        await Eventually.HoldsAsync(() => Task.FromResult(handled.Count), n => n >= 12, "all 12 messages handled", 30);
        await Eventually.HoldsAsync(() => PendingAsync("inference"), n => n == 0, "every entry acknowledged", 30);

        Assert.Equal(12, handled.Count);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"m{i}").Order(), handled.Select(h => h.Text).Order());
        Assert.Contains(handled, h => h.Member == "a");
        Assert.Contains(handled, h => h.Member == "b");
    }

    [Fact]
    public async Task A_handler_error_is_acked_but_a_handler_that_outlives_processingTimeout_is_redelivered_after_it()
    {
        var deliveries = new ConcurrentQueue<(string Text, long At)>();
        var clock = Stopwatch.StartNew();
        var sidecar = Sidecar("inference", ("processingTimeout", "1500"), ("redeliverInterval", "300"));
        _owned.Add(await sidecar.SubscribeAsync(_topic, async (m, ct) =>
        {
            var text = Encoding.UTF8.GetString(m.Data);
            var first = !deliveries.Any(d => d.Text == text);
            deliveries.Enqueue((text, clock.ElapsedMilliseconds));
            if (text == "fails") throw new InvalidOperationException("app answered RETRY and daprd's retries ran out");
            if (text == "slow" && first) await Task.Delay(Timeout.Infinite, ct); // the component's deadline cancels it
        }, CancellationToken.None));
        var publisher = Sidecar("ingest");
        await PublishAsync(publisher, "fails");
        await PublishAsync(publisher, "slow");

        var all = await Eventually.HoldsAsync(() => Task.FromResult(deliveries.ToArray()), d => d.Count(x => x.Text == "slow") >= 2, "the slow message redelivered", 30);
        await Eventually.HoldsAsync(() => PendingAsync("inference"), n => n == 0, "the redelivered message acknowledged", 30);

        var slow = all.Where(d => d.Text == "slow").Select(d => d.At).ToArray();
        Assert.True(slow[1] - slow[0] >= 1400, $"redelivered after {slow[1] - slow[0]} ms, before processingTimeout 1500 ms");
        // By the time the slow one came back the reclaim loop had run for 1.5 s: the failed one was acked, not pending.
        Assert.Single(deliveries, d => d.Text == "fails");
    }

    [Fact]
    public async Task A_member_shut_down_mid_message_leaves_it_pending_and_another_member_reclaims_it_after_processingTimeout()
    {
        var clock = Stopwatch.StartNew();
        long enteredAt = -1, reclaimedAt = -1;
        var a = Sidecar("inference", ("processingTimeout", "1500"), ("redeliverInterval", "300"));
        _owned.Add(await a.SubscribeAsync(_topic, async (_, ct) =>
        {
            Interlocked.Exchange(ref enteredAt, clock.ElapsedMilliseconds);
            await Task.Delay(Timeout.Infinite, ct); // the app is still working when its sidecar stops
        }, CancellationToken.None));
        await PublishAsync(Sidecar("ingest"), "frame");
        await Eventually.HoldsAsync(() => Task.FromResult(Interlocked.Read(ref enteredAt)), t => t >= 0, "member a handling the message", 30);

        var b = Sidecar("inference", ("processingTimeout", "1500"), ("redeliverInterval", "300"));
        _owned.Add(await b.SubscribeAsync(_topic, (_, _) =>
        {
            Interlocked.CompareExchange(ref reclaimedAt, clock.ElapsedMilliseconds, -1);
            return Task.CompletedTask;
        }, CancellationToken.None));
        await a.DisposeAsync();
        Assert.Equal(1, await PendingAsync("inference"));

        await Eventually.HoldsAsync(() => Task.FromResult(Interlocked.Read(ref reclaimedAt)), t => t >= 0, "member b reclaiming the message", 30);
        Assert.True(reclaimedAt - enteredAt >= 1400, $"reclaimed {reclaimedAt - enteredAt} ms after the first delivery, before processingTimeout 1500 ms");
        await Eventually.HoldsAsync(() => PendingAsync("inference"), n => n == 0, "member b acknowledging it", 30);
    }

    [Fact]
    public async Task Concurrency_bounds_the_handlers_running_at_once()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int inFlight = 0, maxInFlight = 0, done = 0;
        var sidecar = Sidecar("inference", ("concurrency", "3"));
        _owned.Add(await sidecar.SubscribeAsync(_topic, async (_, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await gate.Task.WaitAsync(ct);
            Interlocked.Decrement(ref inFlight);
            Interlocked.Increment(ref done);
        }, CancellationToken.None));
        var publisher = Sidecar("ingest");
        for (var i = 0; i < 10; i++) await PublishAsync(publisher, $"m{i}");

        // All ten were read by the group (pending on it) while only three handlers run.
        await Eventually.HoldsAsync(() => PendingAsync("inference"), n => n == 10, "all messages read by the reader", 30);
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref inFlight)), n => n == 3, "three handlers in flight", 30);
        Assert.Equal(3, Volatile.Read(ref maxInFlight));
        gate.SetResult();
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref done)), n => n == 10, "all ten handled", 30);
        Assert.Equal(3, Volatile.Read(ref maxInFlight));
    }

    [Fact]
    public async Task A_new_group_reads_what_the_stream_already_holds()
    {
        var publisher = Sidecar("ingest");
        for (var i = 0; i < 5; i++) await PublishAsync(publisher, $"m{i}");
        var got = new ConcurrentQueue<string>();
        var late = Sidecar("playlist");
        _owned.Add(await late.SubscribeAsync(_topic, (m, _) =>
        {
            got.Enqueue(Encoding.UTF8.GetString(m.Data));
            return Task.CompletedTask;
        }, CancellationToken.None));
        await Eventually.HoldsAsync(() => Task.FromResult(got.Count), n => n == 5, "the five earlier messages", 30);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"m{i}"), got.Order());
    }

    [Fact]
    public async Task Publish_stores_data_and_metadata_fields_and_maxLenApprox_trims_the_stream()
    {
        var publisher = Sidecar("ingest", ("maxLenApprox", "10"));
        await publisher.PublishAsync(_topic, "{\"id\":1}"u8.ToArray(), new Dictionary<string, string> { ["traceid"] = "t1" }, CancellationToken.None);
        var entry = (await _inspector.GetDatabase().StreamRangeAsync(_topic)).Single();
        Assert.Equal("{\"id\":1}", (string?)entry["data"]);
        Assert.Equal("{\"traceid\":\"t1\"}", (string?)entry["metadata"]);

        for (var i = 0; i < 400; i++) await PublishAsync(publisher, $"m{i}");
        var length = await _inspector.GetDatabase().StreamLengthAsync(_topic);
        Assert.InRange(length, 10, 300); // MAXLEN ~ trims whole stream nodes (100 entries each)
    }

    [Fact]
    public async Task A_deleted_stream_makes_the_reader_recreate_its_group_and_delivery_goes_on()
    {
        var got = new ConcurrentQueue<string>();
        var sidecar = Sidecar("inference");
        _owned.Add(await sidecar.SubscribeAsync(_topic, (m, _) =>
        {
            got.Enqueue(Encoding.UTF8.GetString(m.Data));
            return Task.CompletedTask;
        }, CancellationToken.None));
        await _inspector.GetDatabase().KeyDeleteAsync(_topic); // data loss on the server
        var publisher = Sidecar("ingest");
        await Eventually.HoldsAsync(async () =>
        {
            await PublishAsync(publisher, "after");
            return got.Count;
        }, n => n > 0, "a message published after the group was recreated", 30);
        Assert.Contains(((RedisStreamsBroker)sidecar).Log.Lines, l => l.Contains("recreating group inference", StringComparison.Ordinal));
    }

    [Fact]
    public void Init_fails_with_daprds_message_when_redis_is_unreachable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var error = Assert.Throws<InvalidDataException>(() =>
            PubSubBrokers.Create("pubsub.redis", new Dictionary<string, string> { ["redisHost"] = $"127.0.0.1:{port}" }, "inference"));
        Assert.StartsWith($"redis streams: error connecting to redis at 127.0.0.1:{port}: ", error.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
