using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// The Ingest side: stores each captured chunk under its key and announces it (claim-check),
/// then announces the end of the stream with its last sequence.
/// </summary>
public sealed class ChunkIngestor(IObjectStore store, IEventPublisher events)
{
    /// <param name="published">Told of each chunk once it is stored and announced (progress, last sequence on cancel).</param>
    /// <param name="streamStart">Start of the stream's first chunk when resuming it (offsets run on from there); null for a new stream.</param>
    /// <param name="zones">The stream's zones, sent with every chunk.</param>
    /// <returns>The last sequence stored, or -1 when the source yielded nothing.</returns>
    public async Task<long> IngestAsync(StreamId id, IAsyncEnumerable<ChunkFile> chunks,
        Action<ChunkCaptured>? published = null, DateTimeOffset? streamStart = null, IReadOnlyList<Zone>? zones = null,
        CancellationToken cancellationToken = default)
    {
        var last = -1L;
        var first = streamStart;
        await foreach (var chunk in chunks.WithCancellation(cancellationToken))
        {
            // A captured chunk is stored and announced whole, never cut off by a stop: a publish cancelled after the
            // broker took it would leave the end event naming an earlier last sequence than a chunk already sent.
            var key = ObjectKeys.Chunk(id, chunk.Sequence);
            await store.PutAsync(key, chunk.Bytes, CancellationToken.None);
            // Offsets from one event alone (start minus the stream's first start) stay right under
            // reordering, run on across reconnects and jump at a gap, where the playlist marks it.
            first ??= chunk.Start;
            var offset = Math.Max(0, (chunk.Start - first.Value).TotalSeconds);
            var captured = new ChunkCaptured(id.Value, chunk.Sequence, key, chunk.Start, offset, chunk.DurationSeconds, chunk.Discontinuity,
                zones is { Count: > 0 } ? zones : null);
            await events.PublishAsync(Topics.Chunks, captured, CancellationToken.None);
            last = chunk.Sequence;
            published?.Invoke(captured);
        }
        return last;
    }

    /// <summary>Tells the playlist no sequence after <paramref name="lastSequence"/> will come.</summary>
    public Task EndAsync(StreamId id, long lastSequence, CancellationToken cancellationToken = default) =>
        events.PublishAsync(Topics.Streams, new StreamEnded(id.Value, lastSequence), cancellationToken);
}
