using System.Collections.Concurrent;
using DaprVideo.Embedded.Adapters;

namespace DaprVideo.Tests.Embedded;

public class InProcessEventBusTests
{
    private sealed record Ping(int N);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Every_subscriber_gets_every_event()
    {
        await using var bus = new InProcessEventBus();
        var a = new ConcurrentQueue<int>();
        var b = new ConcurrentQueue<int>();
        var done = new TaskCompletionSource();
        bus.Subscribe<Ping>("t", (p, _) => { a.Enqueue(p.N); return Task.CompletedTask; });
        bus.Subscribe<Ping>("t", (p, _) => { b.Enqueue(p.N); if (b.Count == 3) done.SetResult(); return Task.CompletedTask; });

        for (var i = 0; i < 3; i++) await bus.PublishAsync("t", new Ping(i));
        await bus.PublishAsync("other", new Ping(99));

        await done.Task.WaitAsync(Wait);
        Assert.Equal([0, 1, 2], b);
    }

    [Fact]
    public async Task A_failing_handler_is_retried_then_dead_lettered()
    {
        var dead = new TaskCompletionSource<object>();
        await using var bus = new InProcessEventBus((_, m, _) => dead.TrySetResult(m), maxAttempts: 3);
        var attempts = 0;
        var delivered = new TaskCompletionSource<int>();
        bus.Subscribe<Ping>("t", (p, _) =>
        {
            var n = Interlocked.Increment(ref attempts);
            if (p.N == 1 && n < 2) throw new IOException("transient");
            if (p.N == 2) throw new InvalidOperationException("always");
            delivered.TrySetResult(n);
            return Task.CompletedTask;
        });

        await bus.PublishAsync("t", new Ping(1));
        Assert.Equal(2, await delivered.Task.WaitAsync(Wait));

        await bus.PublishAsync("t", new Ping(2));
        Assert.Equal(new Ping(2), await dead.Task.WaitAsync(Wait));
        Assert.Equal(5, attempts);
    }

    [Fact]
    public async Task A_slow_consumer_holds_publishers_back()
    {
        await using var bus = new InProcessEventBus();
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        bus.Subscribe<Ping>("t", async (_, ct) => { started.TrySetResult(); await release.Task.WaitAsync(ct); }, capacity: 1);

        await bus.PublishAsync("t", new Ping(0));
        await started.Task.WaitAsync(Wait);          // the worker holds message 0
        await bus.PublishAsync("t", new Ping(1));     // fills the one slot
        var third = bus.PublishAsync("t", new Ping(2));

        Assert.False(third.IsCompleted);
        release.SetResult();
        await third.WaitAsync(Wait);
    }
}
