using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;

namespace DaprVideo.Tests.Core.Pipeline;

public sealed class ChunkIngestorTests
{
    /// <summary>
    /// Found by the scale-out run: a stop that landed while a chunk was being announced cancelled the publish after the
    /// broker had taken it, so the end event named the chunk before it and replicas disagreed about the last segment.
    /// </summary>
    [Fact]
    public async Task A_stop_during_an_announcement_still_counts_the_announced_chunk()
    {
        using var stop = new CancellationTokenSource();
        var events = new SendingPublisher(onSend: captured => { if (captured.Sequence == 1) stop.Cancel(); });
        var ingestor = new ChunkIngestor(new MemoryObjectStore(), events);
        var id = StreamId.Parse("cam");

        var last = -1L;
        try
        {
            last = await ingestor.IngestAsync(id, Chunks(5, stop.Token), c => last = c.Sequence, cancellationToken: stop.Token);
        }
        catch (OperationCanceledException)
        {
            // The capture stops; what matters is what was announced and counted.
        }

        Assert.Equal([0L, 1L], events.Sent.Select(c => c.Sequence));
        Assert.Equal(1, last);
    }

    private static async IAsyncEnumerable<ChunkFile> Chunks(int count, [EnumeratorCancellation] CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new ChunkFile(i, [1, 2, 3], DateTimeOffset.UnixEpoch.AddSeconds(i), 1, false, 10);
        }
    }

    /// <summary>Like an HTTP publish: the message is sent, then a cancelled token makes the call throw anyway.</summary>
    private sealed class SendingPublisher(Action<ChunkCaptured> onSend) : IEventPublisher
    {
        public ConcurrentQueue<ChunkCaptured> Sent { get; } = new();

        public Task PublishAsync<TEvent>(string topic, TEvent message, CancellationToken cancellationToken = default) where TEvent : class
        {
            if (message is ChunkCaptured captured)
            {
                Sent.Enqueue(captured);
                onSend(captured);
            }
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }
    }
}
