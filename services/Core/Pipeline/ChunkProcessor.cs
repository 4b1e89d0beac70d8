using DaprVideo.Core.Events;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// The Inference side: turns a <see cref="ChunkCaptured"/> into a stored annotated segment plus its
/// record, and announces it. Idempotent per (stream, sequence): a chunk whose record already exists
/// is announced again, not redone, so redelivered events are harmless. With an <see cref="AnalysisRateController"/>
/// (live serving) each chunk is analysed at the rate it sets and tells it when the segment is out; without one (a VOD
/// run, which has no live edge to keep up with) every chunk is analysed at DETECT_FPS. The rate goes into the record.
/// With an <see cref="EventRecorder"/> the chunk is tracked, and its events are stored and published before the record
/// marks the chunk done.
/// </summary>
public sealed class ChunkProcessor(IObjectStore store, IEventPublisher events, SegmentAnnotator annotator, InferenceOptions options,
    AnalysisRateController? analysisRate = null, EventRecorder? eventRecorder = null)
{
    public async Task ProcessAsync(ChunkCaptured chunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var id = StreamId.Parse(chunk.StreamId);
        if (chunk.Sequence < 0) throw new InvalidDataException($"Chunk of stream '{id}' has negative sequence {chunk.Sequence}.");
        var chunkKey = ObjectKeys.Chunk(id, chunk.Sequence);
        // Keys are derived, never taken from the event: an event must not point us at other objects.
        if (chunk.ChunkKey != chunkKey) throw new InvalidDataException($"Chunk key '{chunk.ChunkKey}' does not match {chunkKey}.");

        var recordKey = ObjectKeys.SegmentRecord(id, chunk.Sequence);
        if (await store.GetAsync(recordKey, cancellationToken) is { } stored)
        {
            // Done before: its tracking is in the store, where a successor waiting on it here will look.
            eventRecorder?.Abandon(chunk);
            await AnnounceAsync(id, SegmentRecord.Parse(stored), cancellationToken);
            await RemoveChunkAsync(chunkKey, cancellationToken);
            return;
        }

        using var tracking = eventRecorder?.Begin(chunk, cancellationToken);
        try
        {
            await AnnotateAsync(id, chunk, chunkKey, recordKey, tracking, cancellationToken);
        }
        catch
        {
            if (tracking is not null) eventRecorder!.Abandon(chunk);
            throw;
        }
    }

    private async Task AnnotateAsync(StreamId id, ChunkCaptured chunk, string chunkKey, string recordKey, ChunkTracking? tracking, CancellationToken cancellationToken)
    {
        var bytes = await store.GetAsync(chunkKey, cancellationToken)
            ?? throw new InvalidOperationException($"Chunk {chunkKey} is not in the object store and has no segment yet.");
        var fps = analysisRate?.RateFor(chunk) ?? options.DetectFps;
        var segment = await annotator.AnnotateAsync(bytes, chunk.OffsetSeconds, fps, tracking, cancellationToken);
        var record = new SegmentRecord(id.Value, chunk.Sequence, chunk.Start, segment.DurationSeconds,
            chunk.Discontinuity, segment.Annotated, segment.Frames, segment.Segment.Length, AnalysedFps: fps, DetectFps: options.DetectFps);

        // The record goes last: its presence means the segment is complete.
        await store.PutAsync(ObjectKeys.Segment(id, chunk.Sequence), segment.Segment, cancellationToken);
        if (tracking is not null) await eventRecorder!.CompleteAsync(chunk, tracking.Complete(), cancellationToken);
        await store.PutAsync(recordKey, record.ToJsonBytes(), cancellationToken);
        await AnnounceAsync(id, record, cancellationToken);
        analysisRate?.Completed(chunk, fps);
        await RemoveChunkAsync(chunkKey, cancellationToken);
    }

    private Task AnnounceAsync(StreamId id, SegmentRecord record, CancellationToken cancellationToken) =>
        events.PublishAsync(Topics.Segments, new SegmentAnnotated(
            id.Value, record.Sequence, ObjectKeys.Segment(id, record.Sequence), ObjectKeys.SegmentRecord(id, record.Sequence),
            record.Start, record.DurationSeconds, record.Discontinuity, record.Annotated, record.AnalysedFps), cancellationToken);

    private Task RemoveChunkAsync(string chunkKey, CancellationToken cancellationToken) =>
        options.KeepChunks ? Task.CompletedTask : store.DeleteAsync(chunkKey, cancellationToken);
}
