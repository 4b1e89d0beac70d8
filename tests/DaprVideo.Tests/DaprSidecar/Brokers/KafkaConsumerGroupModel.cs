namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// One consumer group's coordinator in the Kafka model, with Sarama's eager rebalance (IBM/sarama v1.48
/// consumer_group.go): any join, topic change or leave ends EVERY member's session — their ConsumeClaim loops are
/// cancelled and awaited (in-flight handlers see their token cancelled) — then partitions are assigned anew by the
/// leader's strategy (balance_strategy.go range: per topic, members sorted by id, contiguous ranges, the first
/// <c>partitions % members</c> get one more; or roundrobin) and new sessions start.
/// A member whose Consume ended without Close (its last subscription went away) stays in the group, owning its
/// partitions without consuming them, until sessionTimeout expires it; a rebalance meanwhile waits for that expiry
/// (the coordinator waits for known members to rejoin). Close leaves at once (LeaveGroup).
/// Offsets are committed as each message is marked (Sarama commits marks every second and when a session ends; the
/// model does not lose the last second of marks a crash would lose).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives as long as its cluster model; a SemaphoreSlim whose wait handle is never read holds nothing to release.")]
internal sealed class KafkaConsumerGroupModel(string name, KafkaClusterModel cluster)
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _rebalance = new(1, 1);
    private readonly List<Member> _members = [];
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private Dictionary<string, IReadOnlyList<TopicPartition>> _assignment = [];
    private int _generation;

    public string Name { get; } = name;

    public int Generation { get { lock (_gate) return _generation; } }

    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assignment { get { lock (_gate) return new Dictionary<string, IReadOnlyList<TopicPartition>>(_assignment); } }

    public long? Committed(TopicPartition partition)
    {
        lock (_gate) return _committed.TryGetValue(partition, out var offset) ? offset : null;
    }

    public void Commit(TopicPartition partition, long nextOffset)
    {
        lock (_gate) _committed[partition] = nextOffset;
    }

    /// <summary>Where a new claim starts: the committed offset, else Consumer.Offsets.Initial (newest = the partition's end now).</summary>
    public long StartOffset(TopicPartition partition, bool oldest)
    {
        lock (_gate)
            if (_committed.TryGetValue(partition, out var offset)) return offset;
        return oldest ? 0 : cluster.Topic(partition.Topic)[partition.Partition].EndOffset;
    }

    /// <summary>A group member for one client (Sarama keeps its member id across Consume calls).</summary>
    public Member NewMember(string clientId, string strategy, TimeSpan sessionTimeout, bool initialOffsetOldest, Func<TopicPartition, long, CancellationToken, Task> consumeClaim) =>
        new(this, $"{clientId}-{Guid.NewGuid()}", strategy, sessionTimeout, initialOffsetOldest, consumeClaim);

    /// <summary>Consume(topics): (re)join with these topics; returns once the member holds its new assignment.</summary>
    public async Task ConsumeAsync(Member member, IReadOnlyCollection<string> topics)
    {
        foreach (var topic in topics) cluster.Topic(topic); // RefreshMetadata auto-creates topics
        lock (_gate)
        {
            member.CancelExpiry();
            if (member.Expired.Task.IsCompleted) member.Renew($"{member.Id.Split('-')[0]}-{Guid.NewGuid()}"); // UNKNOWN_MEMBER_ID: rejoin anew
            member.Topics = [.. topics];
            member.Consuming = true;
            member.Rejoined.TrySetResult();
            if (!_members.Contains(member)) _members.Add(member);
        }
        await RebalanceAsync();
    }

    /// <summary>Consume returned without Close: this member's session ends; it is expired after sessionTimeout.</summary>
    public async Task StopConsumingAsync(Member member)
    {
        await _rebalance.WaitAsync();
        try
        {
            lock (_gate)
            {
                if (!_members.Contains(member)) return;
                member.Consuming = false;
                member.Rejoined = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            await member.EndSessionAsync();
            member.StartExpiry(cluster.Time, () => Expire(member));
        }
        finally
        {
            _rebalance.Release();
        }
    }

    /// <summary>Close: end the session and LeaveGroup; the others rebalance at once.</summary>
    public async Task LeaveAsync(Member member)
    {
        await _rebalance.WaitAsync();
        try
        {
            member.CancelExpiry();
            await member.EndSessionAsync();
            lock (_gate)
            {
                _members.Remove(member);
                member.Expired.TrySetResult();
            }
        }
        finally
        {
            _rebalance.Release();
        }
        await RebalanceAsync();
    }

    private void Expire(Member member)
    {
        lock (_gate)
        {
            if (member.Consuming || !_members.Remove(member)) return;
            member.Expired.TrySetResult();
        }
        _ = RebalanceAsync();
    }

    private async Task RebalanceAsync()
    {
        await _rebalance.WaitAsync();
        try
        {
            Member[] members;
            lock (_gate) members = [.. _members];
            await Task.WhenAll(members.Select(m => m.EndSessionAsync()));
            // Known members that do not rejoin hold the join phase until their session expires.
            await Task.WhenAll(members.Where(m => !m.Consuming).Select(m => Task.WhenAny(m.Expired.Task, m.Rejoined.Task)));

            lock (_gate)
            {
                var joined = _members.Where(m => m.Consuming).ToList();
                _generation++;
                _assignment = joined.Count == 0 ? [] : Plan(joined[0].Strategy, joined);
                foreach (var m in joined)
                    m.StartSession(_assignment.TryGetValue(m.Id, out var parts) ? parts : []);
            }
        }
        finally
        {
            _rebalance.Release();
        }
    }

    private Dictionary<string, IReadOnlyList<TopicPartition>> Plan(string strategy, List<Member> joined)
    {
        var plan = joined.ToDictionary(m => m.Id, _ => new List<TopicPartition>(), StringComparer.Ordinal);
        var sorted = joined.OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
        var topics = joined.SelectMany(m => m.Topics).Distinct().OrderBy(t => t, StringComparer.Ordinal).ToList();
        if (strategy == "roundrobin")
        {
            var i = 0;
            foreach (var topic in topics)
                for (var p = 0; p < cluster.Topic(topic).Length; p++)
                {
                    while (!sorted[i % sorted.Count].Topics.Contains(topic)) i++;
                    plan[sorted[i % sorted.Count].Id].Add(new TopicPartition(topic, p));
                    i++;
                }
        }
        else
        {
            foreach (var topic in topics)
            {
                var subscribed = sorted.Where(m => m.Topics.Contains(topic)).ToList();
                var partitions = cluster.Topic(topic).Length;
                var perMember = partitions / subscribed.Count;
                var withExtra = partitions % subscribed.Count;
                for (var i = 0; i < subscribed.Count; i++)
                {
                    var min = (i * perMember) + Math.Min(withExtra, i);
                    var max = min + perMember + (i < withExtra ? 1 : 0);
                    for (var p = min; p < max; p++) plan[subscribed[i].Id].Add(new TopicPartition(topic, p));
                }
            }
        }
        return plan.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<TopicPartition>)kv.Value, StringComparer.Ordinal);
    }

    /// <summary>One client's membership: its topics and its current session's ConsumeClaim loops.</summary>
    internal sealed class Member(KafkaConsumerGroupModel group, string id, string strategy, TimeSpan sessionTimeout, bool initialOffsetOldest, Func<TopicPartition, long, CancellationToken, Task> consumeClaim)
    {
        private CancellationTokenSource? _session;
        private Task[] _claims = [];
        private ITimer? _expiry;

        public string Id { get; private set; } = id;

        public string Strategy { get; } = strategy;

        public KafkaConsumerGroupModel Group { get; } = group;

        public HashSet<string> Topics { get; set; } = [];

        public bool Consuming { get; set; }

        public TaskCompletionSource Expired { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completed when a member that had stopped consuming joins again before it expired.</summary>
        public TaskCompletionSource Rejoined { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Renew(string newId)
        {
            Id = newId;
            Expired = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void StartSession(IReadOnlyList<TopicPartition> partitions)
        {
            var session = new CancellationTokenSource();
            _session = session;
            // Each claim's first offset is fixed as the session starts, so a message published once the member
            // holds its assignment is never behind an "initialOffset: newest" start.
            _claims = [.. partitions.Select(p =>
            {
                var start = Group.StartOffset(p, initialOffsetOldest);
                return Task.Run(() => consumeClaim(p, start, session.Token));
            })];
        }

        public async Task EndSessionAsync()
        {
            var session = _session;
            if (session is null) return;
            await session.CancelAsync();
            await Task.WhenAll(_claims);
            _session = null;
            _claims = [];
            session.Dispose();
        }

        public void StartExpiry(TimeProvider time, Action expire)
        {
            CancelExpiry();
            _expiry = time.CreateTimer(_ => expire(), null, sessionTimeout, Timeout.InfiniteTimeSpan);
        }

        public void CancelExpiry()
        {
            _expiry?.Dispose();
            _expiry = null;
        }
    }
}
