using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// The in-memory broker of the in-process tests (not daprd: see <see cref="DaprdSubscriptions"/> for that): per
/// (app, topic) queues fed by PublishEvent, delivered to the routes each app announced, answers read by
/// <see cref="AppPostman"/>. It duplicates and reorders on purpose (<see cref="DeliveryPolicy"/>), retries with a
/// fixed backoff of its own instead of a Resiliency spec, applies no topic scopes, and dead-letters a dropped or
/// exhausted message at once when the route declares a topic. A new subscription first receives what the topic holds.
/// </summary>
public sealed class SidecarPubSub : IAsyncDisposable
{
    private readonly DeliveryPolicy _policy;
    private readonly AppPostman _postman;
    private readonly Random _random;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, SubscriberApp> _apps = new(StringComparer.Ordinal);
    private readonly List<Worker> _workers = [];
    private readonly Dictionary<(string Pubsub, string Topic), List<QueuedMessage>> _topicLog = [];
    private readonly List<PublishedEvent> _published = [];
    private readonly List<DeliveryRecord> _deliveries = [];
    private readonly List<UndeliveredMessage> _undelivered = [];
    private int _pending;
    private TaskCompletionSource _settled = NewSignal(completed: true);

    public SidecarPubSub(DeliveryPolicy policy, string? appApiToken)
    {
        _policy = policy;
        _random = new Random(policy.Seed);
        _postman = new AppPostman(appApiToken);
    }

    public IReadOnlyList<PublishedEvent> Published { get { lock (_gate) return [.. _published]; } }

    public IReadOnlyList<DeliveryRecord> Deliveries { get { lock (_gate) return [.. _deliveries]; } }

    public IReadOnlyList<UndeliveredMessage> Undelivered { get { lock (_gate) return [.. _undelivered]; } }

    /// <summary>Reads the app's subscriptions and starts delivering to it; again after a restart (new address).</summary>
    public async Task ConnectAppAsync(string appId, Uri baseAddress, CancellationToken cancellationToken = default)
    {
        var subscriptions = await _postman.SubscriptionsAsync(baseAddress, cancellationToken);

        lock (_gate)
        {
            if (!_apps.TryGetValue(appId, out var app)) _apps[appId] = app = new SubscriberApp(appId);
            app.Connect(baseAddress);
            foreach (var s in subscriptions)
            {
                if (_workers.Any(w => w.App == app && w.Subscription == s)) continue;
                var worker = new Worker(this, app, s);
                _workers.Add(worker);
                if (_topicLog.TryGetValue((s.PubsubName, s.Topic), out var backlog))
                    foreach (var m in backlog) Enqueue(worker, m);
                worker.Start();
            }
        }
    }

    /// <summary>The app went away (stopping or restarting): deliveries wait, unacknowledged, until it reconnects.</summary>
    public void DisconnectApp(string appId)
    {
        lock (_gate)
            if (_apps.TryGetValue(appId, out var app)) app.Disconnect();
    }

    public void Publish(string pubsub, string topic, JsonObject cloudEvent)
    {
        var bytes = Encoding.UTF8.GetBytes(cloudEvent.ToJsonString());
        var id = (string?)cloudEvent["id"] ?? "";
        lock (_gate)
        {
            _published.Add(new PublishedEvent(pubsub, topic, id, bytes));
            Route(pubsub, topic, new QueuedMessage(id, bytes, (string?)cloudEvent["traceparent"], (string?)cloudEvent["tracestate"], Duplicate: false));
        }
    }

    /// <summary>Completes once every message published so far (and any dead letters they caused) is settled.</summary>
    public async Task WhenSettledAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task signal;
            lock (_gate) signal = _settled.Task;
            try
            {
                await signal.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_pending} deliveries still unsettled after {timeout}.");
            }
            lock (_gate)
                if (_pending == 0) return;
        }
    }

    private void Route(string pubsub, string topic, QueuedMessage message)
    {
        // Caller holds _gate.
        if (!_topicLog.TryGetValue((pubsub, topic), out var log)) _topicLog[(pubsub, topic)] = log = [];
        log.Add(message);
        foreach (var worker in _workers.Where(w => w.Subscription.PubsubName == pubsub && w.Subscription.Topic == topic))
        {
            Enqueue(worker, message);
            if (_policy.DuplicateProbability > 0 && _random.NextDouble() < _policy.DuplicateProbability)
                Enqueue(worker, message with { Duplicate = true });
        }
    }

    private void Enqueue(Worker worker, QueuedMessage message)
    {
        // Caller holds _gate.
        if (_pending++ == 0) _settled = NewSignal(completed: false);
        worker.Queue.Writer.TryWrite(message);
    }

    private void Settle()
    {
        lock (_gate)
            if (--_pending == 0) _settled.TrySetResult();
    }

    private async Task DeliverAsync(Worker worker, QueuedMessage message, CancellationToken ct)
    {
        var s = worker.Subscription;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var address = await worker.App.WhenConnectedAsync(ct);
                var (outcome, status) = await SendAsync(address, s.Route, message, ct);
                lock (_gate)
                    _deliveries.Add(new DeliveryRecord(worker.App.AppId, s.Topic, s.Route, message.EventId, attempt, message.Duplicate, outcome, status));

                if (outcome == DeliveryOutcome.Success) return;
                if (outcome == DeliveryOutcome.Drop)
                {
                    GiveUp(worker, message, $"dropped (HTTP {status})");
                    return;
                }
                // An app that is down on purpose does not use up attempts: the broker keeps the message pending.
                if (outcome == DeliveryOutcome.Unreachable && !worker.App.IsConnected) { attempt--; continue; }
                if (attempt >= _policy.MaxAttempts)
                {
                    GiveUp(worker, message, $"{attempt} attempts, last {outcome}");
                    return;
                }
                var backoff = TimeSpan.FromTicks(Math.Min(_policy.MaxBackoff.Ticks, _policy.InitialBackoff.Ticks << Math.Min(attempt - 1, 20)));
                await Task.Delay(backoff, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The stand-in is stopping.
        }
        finally
        {
            Settle();
        }
    }

    private void GiveUp(Worker worker, QueuedMessage message, string reason)
    {
        var s = worker.Subscription;
        lock (_gate)
        {
            _undelivered.Add(new UndeliveredMessage(s.Topic, message.EventId, s.DeadLetterTopic, reason));
            if (s.DeadLetterTopic is { } dlt)
            {
                _published.Add(new PublishedEvent(s.PubsubName, dlt, message.EventId, message.Body));
                Route(s.PubsubName, dlt, message with { Duplicate = false });
            }
        }
    }

    private async Task<(DeliveryOutcome, int)> SendAsync(Uri address, string route, QueuedMessage message, CancellationToken ct)
    {
        // No Resiliency spec here: an app that hangs counts as unreachable after 30 s.
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            return await _postman.DeliverAsync(address, route, message.Body, message.TraceParent, message.TraceState, attempt.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (DeliveryOutcome.Unreachable, 0);
        }
    }

    private List<QueuedMessage> Shuffle(List<QueuedMessage> batch)
    {
        if (batch.Count < 2) return batch;
        var copy = batch.ToArray();
        lock (_gate) _random.Shuffle(copy);
        return [.. copy];
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Worker[] workers;
        lock (_gate) workers = [.. _workers];
        foreach (var w in workers) w.Queue.Writer.TryComplete();
        await Task.WhenAll(workers.Select(w => w.Running));
        _postman.Dispose();
        _stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed) tcs.SetResult();
        return tcs;
    }

    private sealed record QueuedMessage(string EventId, byte[] Body, string? TraceParent, string? TraceState, bool Duplicate);

    /// <summary>One subscription of one app: its queue and the loop that drains it.</summary>
    private sealed class Worker(SidecarPubSub owner, SubscriberApp app, AppSubscription subscription)
    {
        public SubscriberApp App { get; } = app;
        public AppSubscription Subscription { get; } = subscription;
        public Channel<QueuedMessage> Queue { get; } = Channel.CreateUnbounded<QueuedMessage>();
        public Task Running { get; private set; } = Task.CompletedTask;

        public void Start() => Running = Task.Run(RunAsync);

        private async Task RunAsync()
        {
            var ct = owner._stopping.Token;
            var policy = owner._policy;
            try
            {
                while (await Queue.Reader.WaitToReadAsync(ct))
                {
                    var batch = new List<QueuedMessage>();
                    await FillAsync(batch, Math.Max(1, policy.ReorderWindow), policy.ReorderMaxHold, ct);
                    batch = owner.Shuffle(batch);
                    if (policy.Concurrency <= 1)
                    {
                        foreach (var m in batch) await owner.DeliverAsync(this, m, ct);
                    }
                    else
                    {
                        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = policy.Concurrency, CancellationToken = ct },
                            (m, c) => new ValueTask(owner.DeliverAsync(this, m, c)));
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopping.
            }
        }

        private async Task FillAsync(List<QueuedMessage> batch, int window, TimeSpan hold, CancellationToken ct)
        {
            while (batch.Count < window && Queue.Reader.TryRead(out var m)) batch.Add(m);
            if (window == 1 || batch.Count >= window) return;
            // A reorder window waits a little for the rest of a burst, then goes with what it has.
            using var holdCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            holdCts.CancelAfter(hold);
            try
            {
                while (batch.Count < window && await Queue.Reader.WaitToReadAsync(holdCts.Token))
                    while (batch.Count < window && Queue.Reader.TryRead(out var m)) batch.Add(m);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Hold expired.
            }
        }
    }
}

/// <summary>An app the stand-in delivers to; a restart gives it a new address.</summary>
public sealed class SubscriberApp(string appId)
{
    private TaskCompletionSource<Uri> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string AppId { get; } = appId;

    public bool IsConnected => _connected.Task.IsCompleted;

    public Task<Uri> WhenConnectedAsync(CancellationToken ct) => _connected.Task.WaitAsync(ct);

    public void Connect(Uri address)
    {
        if (!_connected.TrySetResult(address))
        {
            _connected = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            _connected.SetResult(address);
        }
    }

    public void Disconnect()
    {
        if (_connected.Task.IsCompleted) _connected = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A CloudEvent as it went onto a topic (test hook: sizes, trace context, counts).</summary>
public sealed record PublishedEvent(string PubsubName, string Topic, string EventId, byte[] CloudEvent)
{
    public JsonObject Json => JsonNode.Parse(CloudEvent)!.AsObject();
}
