using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using DaprVideo.Core.Events;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Search;
using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// The Playlist side: keeps each stream's playlist state and detection index from
/// <see cref="SegmentAnnotated"/> and <see cref="StreamEnded"/> events and stores the playlists
/// (index.m3u8, live.m3u8) whenever they change. Every input is idempotent and order-independent.
/// </summary>
public sealed class PlaylistBuilder(IObjectStore store, PlaylistBuilderOptions options)
{
    public const string IndexPlaylist = "index.m3u8";
    public const string LivePlaylist = "live.m3u8";

    private readonly ConcurrentDictionary<StreamId, StreamView> _streams = new();

    /// <summary>Streams seen so far.</summary>
    public IReadOnlyCollection<StreamId> Streams => [.. _streams.Keys];

    public bool TryGet(StreamId id, out StreamPlaylistState playlist, out DetectionIndex index)
    {
        if (_streams.TryGetValue(id, out var view))
        {
            (playlist, index) = (view.Playlist, view.Index);
            return true;
        }
        (playlist, index) = (null!, null!);
        return false;
    }

    public async Task OnSegmentAsync(SegmentAnnotated segment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var id = StreamId.Parse(segment.StreamId);
        var recordKey = ObjectKeys.SegmentRecord(id, segment.Sequence);
        var json = await store.GetAsync(recordKey, cancellationToken)
            ?? throw new InvalidOperationException($"Segment record {recordKey} is not in the object store.");
        var record = SegmentRecord.Parse(json);
        if (record.StreamId != id.Value || record.Sequence != segment.Sequence)
            throw new InvalidDataException($"Record {recordKey} describes {record.StreamId}/{record.Sequence}.");

        var view = ViewOf(id);
        view.Index.Add(record);
        view.Playlist.Add(PlaylistSegment.From(record));
        await PersistAsync(view, cancellationToken);
    }

    public async Task OnStreamEndedAsync(StreamEnded ended, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ended);
        var view = ViewOf(StreamId.Parse(ended.StreamId));
        view.Playlist.End(ended.LastSequence);
        await PersistAsync(view, cancellationToken);
    }

    /// <summary>Completes when the stream's playlist has ended and is stored with every segment.</summary>
    public Task WaitForCompletionAsync(StreamId id, CancellationToken cancellationToken = default) =>
        ViewOf(id).Completed.Task.WaitAsync(cancellationToken);

    private StreamView ViewOf(StreamId id) =>
        _streams.GetOrAdd(id, static (key, o) => new StreamView(new StreamPlaylistState(key, o.Playlist), new DetectionIndex(key)), options);

    /// <summary>Writes the playlists when their version moved; one writer per stream keeps older text from overwriting newer.</summary>
    private async Task PersistAsync(StreamView view, CancellationToken cancellationToken)
    {
        await view.Gate.WaitAsync(cancellationToken);
        try
        {
            var playlist = view.Playlist;
            var version = playlist.Version;
            if (version == view.WrittenVersion) return;
            var id = playlist.StreamId;
            var complete = playlist.IsComplete;
            if (!options.VodOnly)
            {
                await PutTextAsync(ObjectKeys.Playlist(id, LivePlaylist), playlist.Render(PlaylistView.Live), cancellationToken);
                await PutTextAsync(ObjectKeys.Playlist(id, IndexPlaylist), playlist.Render(PlaylistView.Event), cancellationToken);
            }
            if (complete && !view.Completed.Task.IsCompleted)
            {
                await WriteDetectionsAsync(id, cancellationToken);
                if (options.VodOnly)
                    await PutTextAsync(ObjectKeys.Playlist(id, IndexPlaylist), playlist.Render(PlaylistView.Vod), cancellationToken);
            }
            view.WrittenVersion = version;
            if (complete) view.Completed.TrySetResult();
        }
        finally
        {
            view.Gate.Release();
        }
    }

    /// <summary>detections.jsonl: one line per analysed frame, in stream order, from the stored records.</summary>
    private async Task WriteDetectionsAsync(StreamId id, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        foreach (var key in await store.ListAsync(ObjectKeys.SegmentsPrefix(id), cancellationToken))
        {
            if (!key.EndsWith(".json", StringComparison.Ordinal)) continue;
            var record = SegmentRecord.Parse(await store.GetAsync(key, cancellationToken) ?? []);
            foreach (var frame in record.Frames)
            {
                JsonSerializer.Serialize(buffer, new DetectionLine(record.Sequence, frame.T, frame.Detections), CoreJsonContext.Default.DetectionLine);
                buffer.WriteByte((byte)'\n');
            }
        }
        await store.PutAsync(ObjectKeys.Detections(id), buffer.ToArray(), cancellationToken);
    }

    private Task PutTextAsync(string key, string text, CancellationToken cancellationToken) =>
        store.PutAsync(key, Encoding.UTF8.GetBytes(text), cancellationToken);

    private sealed class StreamView(StreamPlaylistState playlist, DetectionIndex index)
    {
        public StreamPlaylistState Playlist { get; } = playlist;
        public DetectionIndex Index { get; } = index;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public long WrittenVersion { get; set; } = -1;
        public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
