using DaprVideo.Core.Events;
using DaprVideo.Embedded.Adapters;

namespace DaprVideo.Tests.Embedded;

/// <summary>The embedded stand-in for unacknowledged broker messages: a chunk stays journalled until handled, and is published again at start.</summary>
public sealed class ChunkJournalTests
{
    private static ChunkCaptured Chunk(long sequence) =>
        new("cam", sequence, $"streams/cam/chunks/{sequence:D6}.ts", DateTimeOffset.UnixEpoch.AddSeconds(sequence), sequence, 1, false);

    [Fact]
    public async Task A_chunk_cut_short_by_the_stop_stays_journalled_and_is_replayed_at_the_next_start()
    {
        using var tmp = new TempDirectory();
        var handled = new List<long>();
        var release = new TaskCompletionSource();
        var journal = new ChunkJournal(tmp.Path);
        await using (var bus = new InProcessEventBus())
        {
            bus.Subscribe<ChunkCaptured>(Topics.Chunks, async (c, ct) =>
            {
                if (c.Sequence == 1) await release.Task.WaitAsync(ct); // the chunk in flight when the host stops
                lock (handled) handled.Add(c.Sequence);
                journal.Complete(c);
            });
            var publisher = journal.Journalled(bus);
            await publisher.PublishAsync(Topics.Chunks, Chunk(0));
            await publisher.PublishAsync(Topics.Chunks, Chunk(1));
            await Eventually.HoldsAsync(() => Task.FromResult(handled.Count), n => n == 1, "chunk 0 handled");

            using var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            Assert.False(await bus.WhenIdleAsync(budget.Token)); // chunk 1 is still in work: not idle
            Assert.Equal(1, bus.Pending);
        } // disposing cancels chunk 1, as the end of the stop does

        Assert.Equal([0L], handled);
        var left = new ChunkJournal(tmp.Path).Pending();
        Assert.Equal([Chunk(1)], left);

        var replayed = new List<ChunkCaptured>();
        await using (var bus = new InProcessEventBus())
        {
            bus.Subscribe<ChunkCaptured>(Topics.Chunks, (c, _) => { lock (replayed) replayed.Add(c); return Task.CompletedTask; });
            Assert.Equal(1, await new ChunkJournal(tmp.Path).ReplayAsync(bus));
            Assert.True(await bus.WhenIdleAsync(CancellationToken.None));
        }
        Assert.Equal([Chunk(1)], replayed);
    }

    [Fact]
    public async Task The_bus_is_idle_only_once_what_handlers_published_in_turn_is_handled_too()
    {
        await using var bus = new InProcessEventBus();
        var segments = 0;
        bus.Subscribe<ChunkCaptured>(Topics.Chunks, (c, ct) => bus.PublishAsync(Topics.Segments, new StreamEnded(c.StreamId, c.Sequence), ct));
        bus.Subscribe<StreamEnded>(Topics.Segments, async (_, ct) => { await Task.Delay(100, ct); Interlocked.Increment(ref segments); });
        await bus.PublishAsync(Topics.Chunks, Chunk(0));
        await bus.PublishAsync(Topics.Chunks, Chunk(1));
        Assert.True(await bus.WhenIdleAsync(CancellationToken.None));
        Assert.Equal(2, segments);
        Assert.Equal(0, bus.Pending);
    }

    [Fact]
    public async Task A_failure_caused_by_the_stop_is_neither_retried_nor_dead_lettered()
    {
        var dead = 0;
        var started = new TaskCompletionSource();
        var bus = new InProcessEventBus((_, _, _) => Interlocked.Increment(ref dead), maxAttempts: 1);
        bus.Subscribe<ChunkCaptured>(Topics.Chunks, async (_, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                throw new IOException("ffmpeg exited with code 255"); // what a killed decoder reports
            }
        });
        await bus.PublishAsync(Topics.Chunks, Chunk(0));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await bus.DisposeAsync();
        Assert.Equal(0, dead);
        Assert.Equal(1, bus.Pending);
    }
}
