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
    private long _pending;

    /// <summary>Events published and not yet handled (or given up), across every subscription.</summary>
    public long Pending => Interlocked.Read(ref _pending);

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
        {
            Interlocked.Increment(ref _pending);
            try
            {
                await s.Channel.Writer.WriteAsync(message, cancellationToken);
            }
            catch
            {
                Interlocked.Decrement(ref _pending);
                throw;
            }
        }
    }

    /// <summary>
    /// Waits until every event published so far has been handled (or given up), including what the handlers publish
    /// in turn; ends early when <paramref name="cancellationToken"/> fires. True when the bus went idle.
    /// </summary>
    public async Task<bool> WhenIdleAsync(CancellationToken cancellationToken)
    {
        while (Pending > 0)
        {
            try
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        return true;
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
                    // A failure once the bus is stopping (ffmpeg killed by the cancellation) is the stop, not an attempt:
                    // the message is neither retried nor dead-lettered; it stays pending (journalled) for the next start.
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        if (attempt >= _maxAttempts)
                        {
                            _onDeadLetter(topic, message, e);
                            break;
                        }
                        await Task.Delay(TimeSpan.FromMilliseconds(50 * Math.Pow(2, attempt - 1)), ct);
                    }
                }
                // Only once handled: a message cut short by the stop stays pending (its journal entry too).
                Interlocked.Decrement(ref _pending);
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Stopping: the message in work and those still queued are abandoned, as with an unacked broker.
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
