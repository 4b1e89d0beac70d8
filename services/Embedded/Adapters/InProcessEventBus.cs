using System.Threading.Channels;
using DaprVideo.Core.Ports;

namespace DaprVideo.Embedded.Adapters;

/// <summary>
/// The embedded stand-in for pub/sub: every subscription gets a bounded channel (publishers wait
/// when a consumer falls behind: backpressure, never loss) and its own worker tasks. A failing
/// handler is retried with backoff like a broker redelivery, then the event is reported as dead.
/// </summary>
public sealed class InProcessEventBus : IEventPublisher, IAsyncDisposable
{
    private readonly Dictionary<string, List<Subscription>> _subscriptions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Action<string, object, Exception> _onDeadLetter;
    private readonly int _maxAttempts;

    public InProcessEventBus(Action<string, object, Exception>? onDeadLetter = null, int maxAttempts = 5)
    {
        _onDeadLetter = onDeadLetter ?? ((_, _, _) => { });
        _maxAttempts = maxAttempts;
    }

    /// <summary>Registers a handler; call before publishing starts.</summary>
    public void Subscribe<TEvent>(string topic, Func<TEvent, CancellationToken, Task> handler, int concurrency = 1, int capacity = 64)
        where TEvent : class
    {
        var channel = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait });
        var workers = Enumerable.Range(0, concurrency)
            .Select(_ => Task.Run(() => WorkAsync(topic, channel.Reader, (e, ct) => handler((TEvent)e, ct))))
            .ToArray();
        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(topic, out var list)) _subscriptions[topic] = list = [];
            list.Add(new Subscription(channel, workers));
        }
    }

    public async Task PublishAsync<TEvent>(string topic, TEvent message, CancellationToken cancellationToken = default)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(message);
        Subscription[] targets;
        lock (_subscriptions)
            targets = _subscriptions.TryGetValue(topic, out var list) ? [.. list] : [];
        foreach (var s in targets)
            await s.Channel.Writer.WriteAsync(message, cancellationToken);
    }

    private async Task WorkAsync(string topic, ChannelReader<object> reader, Func<object, CancellationToken, Task> handler)
    {
        var ct = _stopping.Token;
        try
        {
            await foreach (var message in reader.ReadAllAsync(ct))
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await handler(message, ct);
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        if (attempt >= _maxAttempts)
                        {
                            _onDeadLetter(topic, message, e);
                            break;
                        }
                        await Task.Delay(TimeSpan.FromMilliseconds(50 * Math.Pow(2, attempt - 1)), ct);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: messages still queued are abandoned with the process, as with an unacked broker.
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Subscription> all;
        lock (_subscriptions) all = _subscriptions.Values.SelectMany(l => l).ToList();
        foreach (var s in all) s.Channel.Writer.TryComplete();
        await _stopping.CancelAsync();
        await Task.WhenAll(all.SelectMany(s => s.Workers));
        _stopping.Dispose();
    }

    private sealed record Subscription(Channel<object> Channel, Task[] Workers);
}
