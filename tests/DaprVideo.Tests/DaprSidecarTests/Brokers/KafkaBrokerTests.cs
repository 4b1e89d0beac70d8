using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DaprVideo.Tests.DaprSidecar.Brokers;
using Microsoft.Extensions.Time.Testing;

namespace DaprVideo.Tests.DaprSidecarTests.Brokers;

/// <summary>pubsub.kafka on the in-process cluster model: per-partition serial delivery, rebalances, retries in place, size limit.</summary>
public sealed class KafkaBrokerTests : IAsyncLifetime
{
    private const string Topic = "detections";
    private readonly List<IAsyncDisposable> _owned = [];
    private KafkaClusterModel _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Components close before their subscriptions: Close leaves the group at once (LeaveGroup), whereas a member
        // whose subscriptions ended first stays in the group and holds the next rebalance until sessionTimeout (10 s).
        foreach (var d in Enumerable.Reverse(_owned).OrderBy(d => d is KafkaBroker ? 0 : 1)) await d.DisposeAsync();
    }

    private KafkaBroker Sidecar(string appId, params (string Key, string Value)[] extra)
    {
        var md = new Dictionary<string, string> { ["brokers"] = _cluster.BootstrapServers, ["authType"] = "none" };
        foreach (var (k, v) in extra) md[k] = v;
        var broker = (KafkaBroker)PubSubBrokers.Create("pubsub.kafka", md, appId, _cluster);
        _owned.Add(broker);
        return broker;
    }

    private static Task PublishAsync(KafkaBroker broker, string key, string text) =>
        broker.PublishAsync(Topic, Encoding.UTF8.GetBytes(text), new Dictionary<string, string> { ["partitionKey"] = key }, CancellationToken.None);

    /// <summary>Stream ids whose keys land on each of the topic's partitions, one per partition.</summary>
    private static string[] KeysCovering(int partitions) =>
        [.. Enumerable.Range(0, partitions).Select(p => Enumerable.Range(0, 1000).Select(i => $"cam-{i}")
            .First(k => SaramaPartitioner.ForKey(Encoding.UTF8.GetBytes(k), partitions) == p))];

    /// <summary>Counts handlers running at once; "work" is a short await so a parallel model would overlap.</summary>
    private sealed class Concurrency
    {
        private int _now;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public async Task RunAsync(Func<Task> work)
        {
            var now = Interlocked.Increment(ref _now);
            int seen;
            while ((seen = Volatile.Read(ref _max)) < now && Interlocked.CompareExchange(ref _max, now, seen) != seen) { }
            try { await work(); }
            finally { Interlocked.Decrement(ref _now); }
        }
    }

    [Fact]
    public async Task One_partition_is_strictly_serial_across_keys_and_members()
    {
        var concurrency = new Concurrency();
        var order = new ConcurrentQueue<string>();
        BrokerHandler handler = (m, _) => concurrency.RunAsync(async () =>
        {
            order.Enqueue(Encoding.UTF8.GetString(m.Data));
            await Task.Delay(5); // simulated handler work, so overlapping deliveries would show
        });
        var a = Sidecar("inference");
        var b = Sidecar("inference");
        _owned.Add(await a.SubscribeAsync(Topic, handler, CancellationToken.None));
        _owned.Add(await b.SubscribeAsync(Topic, handler, CancellationToken.None));
        var publisher = Sidecar("ingest");
        for (var i = 0; i < 30; i++) await PublishAsync(publisher, $"cam-{i % 5}", $"m{i:D2}");

        await Eventually.HoldsAsync(() => Task.FromResult(order.Count), n => n == 30, "all 30 handled", 30);
        Assert.Equal(1, _cluster.PartitionCount(Topic));
        Assert.Equal(1, concurrency.Max);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"m{i:D2}"), order);
        // One member owns the only partition; the other has nothing to do.
        Assert.Single(_cluster.Assignment("inference").Values, parts => parts.Count == 1);
    }

    [Fact]
    public async Task With_partitions_each_stream_keeps_its_order_streams_run_in_parallel_and_members_split_the_partitions()
    {
        _cluster.CreateTopic(Topic, 4);
        var keys = KeysCovering(4);
        var concurrency = new Concurrency();
        var byKey = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var byMember = new ConcurrentDictionary<string, int>();
        BrokerHandler Handler(string member) => (m, _) => concurrency.RunAsync(async () =>
        {
            byMember.AddOrUpdate(member, 1, (_, n) => n + 1);
            var parts = Encoding.UTF8.GetString(m.Data).Split('/');
            Assert.Equal(parts[0], m.Metadata["__key"]);
            byKey.GetOrAdd(parts[0], _ => new()).Enqueue(int.Parse(parts[1], CultureInfo.InvariantCulture));
            await Task.Delay(5); // simulated handler work
        });
        var a = Sidecar("inference");
        var b = Sidecar("inference");
        _owned.Add(await a.SubscribeAsync(Topic, Handler("a"), CancellationToken.None));
        _owned.Add(await b.SubscribeAsync(Topic, Handler("b"), CancellationToken.None));
        var publisher = Sidecar("ingest");
        for (var seq = 0; seq < 15; seq++)
            foreach (var key in keys) await PublishAsync(publisher, key, $"{key}/{seq}");

        await Eventually.HoldsAsync(() => Task.FromResult(byKey.Values.Sum(q => q.Count)), n => n == 60, "all 60 handled", 30);
        foreach (var key in keys) Assert.Equal(Enumerable.Range(0, 15), byKey[key]);
        Assert.True(concurrency.Max > 1, "different streams never ran in parallel");
        var assignment = _cluster.Assignment("inference");
        Assert.Equal([2, 2], assignment.Values.Select(p => p.Count));
        Assert.Equal(new[] { a.MemberId, b.MemberId }.Order(StringComparer.Ordinal), assignment.Keys.Order(StringComparer.Ordinal));
        Assert.True(byMember.GetValueOrDefault("a") > 0 && byMember.GetValueOrDefault("b") > 0, "one member handled everything");
    }

    [Fact]
    public async Task A_handler_error_blocks_its_partition_and_is_retried_in_place()
    {
        _cluster.CreateTopic(Topic, 2);
        var keys = KeysCovering(2);
        var clock = Stopwatch.StartNew();
        var events = new ConcurrentQueue<(string Text, long At)>();
        var failuresLeft = 3;
        var sidecar = Sidecar("inference", ("backOffDuration", "200"));
        _owned.Add(await sidecar.SubscribeAsync(Topic, (m, _) =>
        {
            var text = Encoding.UTF8.GetString(m.Data);
            events.Enqueue((text, clock.ElapsedMilliseconds));
            if (text == "poison" && Interlocked.Decrement(ref failuresLeft) >= 0) throw new InvalidOperationException("app answered RETRY");
            return Task.CompletedTask;
        }, CancellationToken.None));
        var publisher = Sidecar("ingest");
        await PublishAsync(publisher, keys[0], "poison");
        await PublishAsync(publisher, keys[0], "after-poison");
        await PublishAsync(publisher, keys[1], "other-partition");

        var all = await Eventually.HoldsAsync(() => Task.FromResult(events.ToArray()), e => e.Any(x => x.Text == "after-poison"), "the message behind the poison one", 30);
        var samePartition = all.Where(e => e.Text != "other-partition").Select(e => e.Text).ToArray();
        Assert.Equal(["poison", "poison", "poison", "poison", "after-poison"], samePartition);
        var attempts = all.Where(e => e.Text == "poison").Select(e => e.At).ToArray();
        for (var i = 1; i < attempts.Length; i++)
            Assert.True(attempts[i] - attempts[i - 1] >= 190, $"retry {i} came {attempts[i] - attempts[i - 1]} ms after the previous attempt (backOffDuration 200 ms)");
        // The other partition was not held up by the retries.
        Assert.True(all.First(e => e.Text == "other-partition").At < attempts[^1], "the other partition waited for the poison message");
        Assert.Equal(2, _cluster.CommittedOffset("inference", new TopicPartition(Topic, SaramaPartitioner.ForKey(Encoding.UTF8.GetBytes(keys[0]), 2))));
        Assert.Contains(sidecar.Log.Lines, l => l.StartsWith("Successfully processed Kafka message after it previously failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_backOffMaxRetries_run_out_the_message_is_skipped_and_the_next_commit_passes_it()
    {
        var handled = new ConcurrentQueue<string>();
        var sidecar = Sidecar("inference", ("backOffDuration", "50"), ("backOffMaxRetries", "2"));
        _owned.Add(await sidecar.SubscribeAsync(Topic, (m, _) =>
        {
            var text = Encoding.UTF8.GetString(m.Data);
            handled.Enqueue(text);
            return text == "poison" ? throw new InvalidOperationException("always fails") : Task.CompletedTask;
        }, CancellationToken.None));
        var publisher = Sidecar("ingest");
        await PublishAsync(publisher, "k", "poison");
        await PublishAsync(publisher, "k", "next");
        await Eventually.HoldsAsync(() => Task.FromResult(handled.Count), n => n == 4, "three attempts and the next message", 30);
        Assert.Equal(["poison", "poison", "poison", "next"], handled);
        Assert.Equal(2, _cluster.CommittedOffset("inference", new TopicPartition(Topic, 0)));
        Assert.Contains(sidecar.Log.Lines, l => l.StartsWith("Too many failed attempts at processing Kafka message: detections/0/0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_member_that_shuts_down_hands_its_partitions_over_and_the_uncommitted_message_is_redelivered()
    {
        _cluster.CreateTopic(Topic, 2);
        var keys = KeysCovering(2);
        var got = new ConcurrentQueue<(string Member, string Text)>();
        var blockA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aHandling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Sidecar("inference");
        var b = Sidecar("inference");
        _owned.Add(await a.SubscribeAsync(Topic, async (m, ct) =>
        {
            var text = Encoding.UTF8.GetString(m.Data);
            if (text.StartsWith("held", StringComparison.Ordinal))
            {
                aHandling.TrySetResult();
                await blockA.Task.WaitAsync(ct); // a still working when its sidecar stops: cancelled, not acked
            }
            got.Enqueue(("a", text));
        }, CancellationToken.None));
        _owned.Add(await b.SubscribeAsync(Topic, (m, _) =>
        {
            got.Enqueue(("b", Encoding.UTF8.GetString(m.Data)));
            return Task.CompletedTask;
        }, CancellationToken.None));
        var aPartition = _cluster.Assignment("inference")[a.MemberId].Single().Partition;
        var aKey = keys[aPartition];
        var publisher = Sidecar("ingest");
        await PublishAsync(publisher, aKey, "first");
        await Eventually.HoldsAsync(() => Task.FromResult(got.Count), n => n == 1, "a's first message", 30);
        await PublishAsync(publisher, aKey, "held");
        await aHandling.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var generation = _cluster.Generation("inference");
        await a.DisposeAsync();

        await Eventually.HoldsAsync(() => Task.FromResult(got.ToArray()), g => g.Any(x => x == ("b", "held")), "b getting the held message", 30);
        Assert.Equal([("a", "first"), ("b", "held")], got);
        Assert.Equal(generation + 1, _cluster.Generation("inference"));
        Assert.Equal(2, Assert.Single(_cluster.Assignment("inference")).Value.Count);
    }

    [Fact]
    public async Task A_member_whose_last_subscription_ends_keeps_its_partitions_until_sessionTimeout_expires_it()
    {
        var time = new FakeTimeProvider();
        _cluster = new KafkaClusterModel(timeProvider: time);
        _cluster.CreateTopic(Topic, 2);
        var keys = KeysCovering(2);
        var got = new ConcurrentQueue<string>();
        var a = Sidecar("inference");
        var b = Sidecar("inference");
        var subscriptionA = await a.SubscribeAsync(Topic, (_, _) => Task.CompletedTask, CancellationToken.None);
        _owned.Add(await b.SubscribeAsync(Topic, (m, _) =>
        {
            got.Enqueue(Encoding.UTF8.GetString(m.Data));
            return Task.CompletedTask;
        }, CancellationToken.None));
        var aPartition = _cluster.Assignment("inference")[a.MemberId].Single().Partition;
        var publisher = Sidecar("ingest");
        await PublishAsync(publisher, keys[aPartition], "warm-up"); // a commits an offset on its partition
        await Eventually.HoldsAsync(() => Task.FromResult(_cluster.CommittedOffset("inference", new TopicPartition(Topic, aPartition))), o => o == 1, "a committing", 30);

        await subscriptionA.DisposeAsync(); // Consume ends without Close: no LeaveGroup
        await PublishAsync(publisher, keys[aPartition], "stranded");
        var generation = _cluster.Generation("inference");
        Assert.Contains(a.MemberId, _cluster.Assignment("inference").Keys);

        time.Advance(TimeSpan.FromSeconds(10)); // sessionTimeout
        await Eventually.HoldsAsync(() => Task.FromResult(got.ToArray()), g => g.Contains("stranded"), "b getting the stranded message", 30);
        Assert.Equal(generation + 1, _cluster.Generation("inference"));
        Assert.DoesNotContain(a.MemberId, _cluster.Assignment("inference").Keys);
    }

    [Fact]
    public async Task A_new_group_starts_at_the_end_unless_initialOffset_is_oldest()
    {
        var publisher = Sidecar("ingest");
        await PublishAsync(publisher, "k", "before");
        var newest = new ConcurrentQueue<string>();
        var oldest = new ConcurrentQueue<string>();
        _owned.Add(await Sidecar("playlist").SubscribeAsync(Topic, (m, _) => { newest.Enqueue(Encoding.UTF8.GetString(m.Data)); return Task.CompletedTask; }, CancellationToken.None));
        _owned.Add(await Sidecar("archive", ("initialOffset", "oldest")).SubscribeAsync(Topic, (m, _) => { oldest.Enqueue(Encoding.UTF8.GetString(m.Data)); return Task.CompletedTask; }, CancellationToken.None));
        await PublishAsync(publisher, "k", "after");
        await Eventually.HoldsAsync(() => Task.FromResult(newest.Count + oldest.Count), n => n == 3, "three deliveries", 30);
        Assert.Equal(["after"], newest);
        Assert.Equal(["before", "after"], oldest);
    }

    [Fact]
    public async Task MaxMessageBytes_refuses_a_larger_message_with_saramas_error()
    {
        var sidecar = Sidecar("ingest", ("maxMessageBytes", "200"));
        var metadata = new Dictionary<string, string> { ["partitionKey"] = "cam-1" };
        // Sarama ByteSize (record v2): 36 overhead + key 5 + header ("partitionKey" 12 + "cam-1" 5 + 10) + value.
        const int overhead = 36 + 5 + 12 + 5 + 10;
        await sidecar.PublishAsync(Topic, new byte[200 - overhead], metadata, CancellationToken.None);
        var error = await Assert.ThrowsAsync<BrokerPublishException>(() => sidecar.PublishAsync(Topic, new byte[201 - overhead], metadata, CancellationToken.None));
        Assert.Equal("kafka: invalid configuration (Attempt to produce message larger than configured Producer.MaxMessageBytes: 201 > 200)", error.Message);
        Assert.True(error.Retriable);
        Assert.Single(_cluster.Records(Topic, 0));

        var unlimited = Sidecar("ingest2");
        var tooBig = await Assert.ThrowsAsync<BrokerPublishException>(() => unlimited.PublishAsync(Topic, new byte[1024 * 1024], new Dictionary<string, string>(), CancellationToken.None));
        Assert.EndsWith($"{(1024 * 1024) + 36} > 1048576)", tooBig.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_fails_when_no_listed_broker_is_the_cluster()
    {
        var error = Assert.Throws<InvalidDataException>(() => PubSubBrokers.Create("pubsub.kafka",
            new Dictionary<string, string> { ["brokers"] = "kafka:9092", ["authType"] = "none" }, "inference", _cluster));
        Assert.StartsWith("failed to get latest Kafka clients for initialization: kafka: client has run out of available brokers to talk to", error.Message, StringComparison.Ordinal);
    }
}
