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
public sealed class PlaylistBuilder(IObjectStore store, PlaylistBuilderOptions options, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
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
        await FillHolesAsync(view, id, segment.Sequence, cancellationToken);
        Apply(view, record);
        view.LastInput = _clock.GetUtcNow();
        await PersistAsync(view, cancellationToken);
    }

    public async Task OnStreamEndedAsync(StreamEnded ended, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ended);
        var id = StreamId.Parse(ended.StreamId);
        if (ended.LastSequence < -1) throw new InvalidDataException($"Stream '{id}' ended with sequence {ended.LastSequence}.");
        // Stored so a restarted Playlist knows the stream is over (the event will not come again).
        await store.PutAsync(ObjectKeys.StreamEnd(id),
            JsonSerializer.SerializeToUtf8Bytes(new StreamEnded(id.Value, ended.LastSequence), CoreJsonContext.Default.StreamEnded), cancellationToken);
        var view = ViewOf(id);
        view.Playlist.End(ended.LastSequence);
        await FillHolesAsync(view, id, ended.LastSequence + 1, cancellationToken);
        view.LastInput = _clock.GetUtcNow();
        await PersistAsync(view, cancellationToken);
    }

    /// <summary>
    /// Replicas of one consumer group share a stream's events, so a replica routinely lacks sequences another was told
    /// about. Before a hole may count toward giving up (<see cref="PlaylistBuilderOptions"/>' hole-skip threshold, a
    /// stream's end), the missing records are read from the store, where Inference puts each record before announcing
    /// it. The first one not stored yet ends the look: that hole is real for now.
    /// </summary>
    private async Task FillHolesAsync(StreamView view, StreamId id, long before, CancellationToken cancellationToken)
    {
        foreach (var sequence in view.Playlist.Missing(before, MaxHoleFill))
        {
            if (await store.GetAsync(ObjectKeys.SegmentRecord(id, sequence), cancellationToken) is not { } json) return;
            Apply(view, SegmentRecord.Parse(json));
        }
    }

    /// <summary>Records read per event at most (a replica far behind catches up through <see cref="SyncAsync"/>).</summary>
    private const int MaxHoleFill = 64;

    /// <summary>
    /// Gives up the holes of streams that are waiting for a segment and have heard nothing for
    /// <paramref name="quiet"/>: a chunk lost for good (dead-lettered) must not hold a live window
    /// or a stream's end forever. Returns how many streams moved on.
    /// </summary>
    public async Task<int> SkipStalledAsync(TimeSpan quiet, CancellationToken cancellationToken = default)
    {
        var now = _clock.GetUtcNow();
        var moved = 0;
        foreach (var view in _streams.Values)
        {
            if (view.Playlist.IsComplete || now - view.LastInput < quiet) continue;
            // Another replica may have been told of what this one waits for.
            await SyncAsync(view.Playlist.StreamId, cancellationToken);
            if (view.Playlist.SkipMissing())
            {
                moved++;
                await PersistAsync(view, cancellationToken);
            }
        }
        return moved;
    }

    /// <summary>
    /// Rebuilds every stream's state from the records and end markers in the store (after a restart,
    /// or on a new replica): the same inputs give the same playlists.
    /// </summary>
    public async Task RebuildAsync(CancellationToken cancellationToken = default)
    {
        foreach (var key in await store.ListAsync(ObjectKeys.StreamsPrefix, cancellationToken))
            await ApplyStoredAsync(key, cancellationToken);
        foreach (var view in _streams.Values) await PersistAsync(view, cancellationToken);
    }

    /// <summary>
    /// Catches one stream up with the store: applies every segment record and the end marker stored for it.
    /// A replica that missed events (another replica of the same consumer group took them) thereby serves
    /// what one that saw them all serves. Returns false when the store holds nothing of the stream.
    /// </summary>
    public async Task<bool> SyncAsync(StreamId id, CancellationToken cancellationToken = default)
    {
        if (_streams.TryGetValue(id, out var known) && known.Playlist.IsComplete) return true;
        var found = false;
        foreach (var key in await store.ListAsync(ObjectKeys.SegmentsPrefix(id), cancellationToken))
            found |= await ApplyStoredAsync(key, cancellationToken);
        found |= await ApplyStoredAsync(ObjectKeys.StreamEnd(id), cancellationToken);
        if (_streams.TryGetValue(id, out var view)) await PersistAsync(view, cancellationToken);
        return found || view is not null;
    }

    /// <summary>Applies one stored object if it is a segment record or an end marker; true when it was.</summary>
    private async Task<bool> ApplyStoredAsync(string key, CancellationToken cancellationToken)
    {
        var parts = key.Split('/');
        if (parts.Length < 3 || !StreamId.TryParse(parts[1], out var id)) return false;
        if (parts.Length == 4 && parts[2] == "segments" && key.EndsWith(".json", StringComparison.Ordinal))
        {
            // Already applied (published or waiting): no need to read it again.
            if (_streams.TryGetValue(id, out var known) && SequenceOf(parts[3]) is { } seq && known.Playlist.NextSequence > seq) return true;
            if (await store.GetAsync(key, cancellationToken) is not { } json) return false;
            Apply(ViewOf(id), SegmentRecord.Parse(json));
            return true;
        }
        if (key == ObjectKeys.StreamEnd(id))
        {
            if (_streams.TryGetValue(id, out var known) && known.Playlist.LastSequence is not null) return true;
            if (await store.GetAsync(key, cancellationToken) is not { } end) return false;
            var ended = JsonSerializer.Deserialize(end, CoreJsonContext.Default.StreamEnded)
                ?? throw new InvalidDataException($"{key} is empty.");
            ViewOf(id).Playlist.End(ended.LastSequence);
            return true;
        }
        return false;
    }

    private static long? SequenceOf(string fileName) =>
        fileName.Length == 11 && long.TryParse(fileName.AsSpan(0, 6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
            ? seq : null;

    private static void Apply(StreamView view, SegmentRecord record)
    {
        view.Index.Add(record);
        view.Playlist.Add(PlaylistSegment.From(record));
    }

    /// <summary>Completes when the stream's playlist has ended and is stored with every segment.</summary>
    public Task WaitForCompletionAsync(StreamId id, CancellationToken cancellationToken = default) =>
        ViewOf(id).Completed.Task.WaitAsync(cancellationToken);

    private StreamView ViewOf(StreamId id) =>
        _streams.GetOrAdd(id, static (key, state) => new StreamView(new StreamPlaylistState(key, state.options.Playlist), new DetectionIndex(key))
        {
            LastInput = state.now,
        }, (options, now: _clock.GetUtcNow()));

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
        public DateTimeOffset LastInput { get; set; }
        public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
