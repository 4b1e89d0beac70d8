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
/// Retention (<see cref="ApplyRetentionAsync"/>) removes the oldest segments of streams it applies to, and
/// <see cref="OnStreamPurgedAsync"/> forgets a purged stream. It also keeps the streams' <see cref="Events"/>: rebuilt and
/// caught up from the store with the playlists, trimmed by the same retention cuts, forgotten with a purge.
/// </summary>
/// <remarks>
/// Why replicas agree under retention without talking to each other. Each replica's sweeper applies the same pure
/// <see cref="RetentionPolicy"/> to its own published list; replicas that applied the same records hold the same list,
/// so at the same clock reading they cut at the same segment and compute the same <see cref="RetentionCut"/> (the
/// numbers after the cut are a function of the list). Clocks differ by a sweep at most, after which the later cut
/// covers the earlier. A replica that does not hold the removed segments (restarted, or handed none of their events)
/// could not count them; it reads the cut instead, which the deciding replica stores before deleting anything, under
/// an immutable key per cut point (two replicas cutting at one point write the same bytes; the highest cut holds, and
/// applying cuts is idempotent and order-independent like every other input). Deletes of objects already deleted
/// succeed, so two replicas deleting the same range is harmless.
/// </remarks>
public sealed class PlaylistBuilder(IObjectStore store, PlaylistBuilderOptions options, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    public const string IndexPlaylist = "index.m3u8";
    public const string LivePlaylist = "live.m3u8";

    private readonly ConcurrentDictionary<StreamId, StreamView> _streams = new();

    /// <summary>Every stream's events (fed by <see cref="EventIndexer.OnEventChangedAsync"/>).</summary>
    public EventIndexer Events { get; } = new(store);

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
        var view = await ViewOfAsync(id, cancellationToken);
        if (await store.GetAsync(recordKey, cancellationToken) is not { } json)
        {
            // A late or redelivered event of a segment retention has removed since: nothing to add.
            if (!view.Policy.IsOff && await ApplyLatestCutAsync(view, cancellationToken) >= segment.Sequence) return;
            throw new InvalidOperationException($"Segment record {recordKey} is not in the object store.");
        }
        var record = SegmentRecord.Parse(json);
        if (record.StreamId != id.Value || record.Sequence != segment.Sequence)
            throw new InvalidDataException($"Record {recordKey} describes {record.StreamId}/{record.Sequence}.");

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
        var view = await ViewOfAsync(id, cancellationToken);
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
        if (_streams.TryGetValue(id, out var known) && known.Playlist.IsComplete)
        {
            // Events may still be rewritten after the last segment (the tracker ends them at the stream's end).
            await Events.SyncAsync(id, cancellationToken);
            return true;
        }
        var found = false;
        await Events.SyncAsync(id, cancellationToken);
        // Cuts first: records they cover may still be stored (deleted a little later) and must not come back.
        if (known is not null && !known.Policy.IsOff) found |= await ApplyLatestCutAsync(known, cancellationToken) >= 0;
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
        if (EventIndexer.IsEventRecord(key, out _, out _))
        {
            // An unreadable event record costs that event, never the stream's playlists.
            try { await Events.ApplyStoredAsync(key, cancellationToken); }
            catch (InvalidDataException) { return false; }
            return true;
        }
        if (parts.Length == 4 && parts[2] == "segments" && key.EndsWith(".json", StringComparison.Ordinal))
        {
            // Already applied (published or waiting, or removed by retention): no need to read it again.
            if (_streams.TryGetValue(id, out var known) && SequenceOf(parts[3]) is { } seq && known.Playlist.NextSequence > seq) return true;
            if (await store.GetAsync(key, cancellationToken) is not { } json) return false;
            Apply(await ViewOfAsync(id, cancellationToken), SegmentRecord.Parse(json));
            return true;
        }
        if (parts.Length == 4 && parts[2] == "retention" && key.EndsWith(".json", StringComparison.Ordinal))
        {
            if (await store.GetAsync(key, cancellationToken) is not { } cut) return false;
            ApplyCut(await ViewOfAsync(id, cancellationToken), RetentionCut.Parse(cut));
            return true;
        }
        if (key == ObjectKeys.StreamEnd(id))
        {
            if (_streams.TryGetValue(id, out var known) && known.Playlist.LastSequence is not null) return true;
            if (await store.GetAsync(key, cancellationToken) is not { } end) return false;
            var ended = JsonSerializer.Deserialize(end, CoreJsonContext.Default.StreamEnded)
                ?? throw new InvalidDataException($"{key} is empty.");
            (await ViewOfAsync(id, cancellationToken)).Playlist.End(ended.LastSequence);
            return true;
        }
        return false;
    }

    private static long? SequenceOf(string fileName) =>
        fileName.Length == 11 && long.TryParse(fileName.AsSpan(0, 6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
            ? seq : null;

    /// <summary>The sequence a key's file name starts with (<c>000042.ts</c>, <c>000042.json</c>), or null.</summary>
    private static long? SequenceOfKey(string key)
    {
        var name = key.AsSpan(key.LastIndexOf('/') + 1);
        var dot = name.IndexOf('.');
        return dot >= 6 && long.TryParse(name[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
            ? seq : null;
    }

    private static void Apply(StreamView view, SegmentRecord record)
    {
        view.Index.Add(record);
        view.Playlist.Add(PlaylistSegment.From(record));
    }

    /// <summary>Completes when the stream's playlist has ended and is stored with every segment.</summary>
    public Task WaitForCompletionAsync(StreamId id, CancellationToken cancellationToken = default) =>
        ViewOf(id).Completed.Task.WaitAsync(cancellationToken);

    /// <summary>The stream's view, created with the deployment's retention (a batch run's streams have no descriptor).</summary>
    private StreamView ViewOf(StreamId id) =>
        _streams.TryGetValue(id, out var view) ? view : AddView(id, options.VodOnly ? RetentionPolicy.Off : options.Retention, null);

    /// <summary>
    /// The stream's view; a new one takes its retention from the stream's descriptor (the stream's own limits over the
    /// deployment's), which Ingest stores before the first chunk. The policy is fixed for the view's life: whether
    /// index.m3u8 carries PLAYLIST-TYPE:EVENT may never change.
    /// </summary>
    private async ValueTask<StreamView> ViewOfAsync(StreamId id, CancellationToken cancellationToken)
    {
        if (_streams.TryGetValue(id, out var view)) return view;
        StreamDescriptor? descriptor = null;
        if (!options.VodOnly && await store.GetAsync(ObjectKeys.StreamDescriptor(id), cancellationToken) is { } json)
        {
            try { descriptor = StreamDescriptor.Parse(json); }
            catch (InvalidDataException) { /* an unreadable descriptor is Ingest's problem: use the defaults */ }
        }
        var policy = options.VodOnly ? RetentionPolicy.Off : options.Retention.For(descriptor?.Retention);
        return AddView(id, policy, descriptor?.StartedAt);
    }

    private StreamView AddView(StreamId id, RetentionPolicy policy, DateTimeOffset? startedAt) =>
        _streams.GetOrAdd(id, static (key, state) =>
            new StreamView(new StreamPlaylistState(key, state.options.Playlist, retained: !state.policy.IsOff), new DetectionIndex(key), state.policy)
            {
                LastInput = state.now,
                StartedAt = state.startedAt,
            }, (options, policy, startedAt, now: _clock.GetUtcNow()));

    /// <summary>
    /// Applies retention to every stream it covers: learns the cuts other replicas made, removes the oldest segments
    /// the policy expires now (storing the cut first), rewrites the playlists, and deletes the objects of segments
    /// removed at least a grace period ago (RFC 8216 §6.2.2: a segment must stay fetchable for a while after it
    /// leaves the playlist; the grace covers the live playlist plus one segment). Returns how many segments left the playlists.
    /// </summary>
    public async Task<int> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var view in _streams.Values)
        {
            if (view.Policy.IsOff || view.Forgotten) continue;
            var id = view.Playlist.StreamId;
            await ApplyLatestCutAsync(view, cancellationToken);
            var count = view.Policy.Expired(view.Playlist.Segments, _clock.GetUtcNow());
            // Segments are only ever appended while the sweep looks (one sweeper per process), so the prefix counted is the prefix cut.
            if (view.Playlist.CutOldest(count) is { } cut)
            {
                await store.PutAsync(ObjectKeys.RetentionCut(id, cut.Through), cut.ToJsonBytes(), cancellationToken);
                if (ApplyCut(view, cut)) removed += count;
            }
            await PersistAsync(view, cancellationToken);
            await DeleteRemovedAsync(view, cancellationToken);
        }
        return removed;
    }

    /// <summary>Reads the highest stored cut of the stream and applies it; returns the last sequence it removed, -1 when none.</summary>
    private async Task<long> ApplyLatestCutAsync(StreamView view, CancellationToken cancellationToken)
    {
        var keys = await store.ListAsync(ObjectKeys.RetentionPrefix(view.Playlist.StreamId), cancellationToken);
        for (var i = keys.Count - 1; i >= 0; i--)
        {
            if (await store.GetAsync(keys[i], cancellationToken) is not { } json) continue; // superseded and deleted meanwhile
            ApplyCut(view, RetentionCut.Parse(json));
            break;
        }
        return view.Playlist.TrimmedThrough;
    }

    /// <summary>Trims playlist and index to the cut; the cut's objects are deleted once its grace has passed.</summary>
    private bool ApplyCut(StreamView view, RetentionCut cut)
    {
        if (!view.Playlist.Trim(cut)) return false;
        view.Index.ForgetThrough(cut.Through);
        Events.ForgetThrough(view.Playlist.StreamId, cut.Through);
        view.DetectionsStale = true;
        var grace = TimeSpan.FromSeconds((options.Playlist.LiveWindowTargetDurations + 1) * view.Playlist.TargetDuration);
        lock (view.PendingDeletes) view.PendingDeletes.Enqueue((cut, _clock.GetUtcNow() + grace));
        return true;
    }

    /// <summary>
    /// Deletes the segments, records and raw chunks of cuts whose grace has passed, and the events wholly inside them
    /// (record and JPEGs), then the cuts below the newest.
    /// The first time in a process the stream's folders are listed (what an earlier process removed is unknown);
    /// after that only the sequences since the last cut are deleted.
    /// </summary>
    private async Task DeleteRemovedAsync(StreamView view, CancellationToken cancellationToken)
    {
        var id = view.Playlist.StreamId;
        while (true)
        {
            RetentionCut cut;
            lock (view.PendingDeletes)
            {
                if (!view.PendingDeletes.TryPeek(out var next) || next.Due > _clock.GetUtcNow()) return;
                cut = next.Cut;
            }
            if (view.DeletedThrough is { } done)
            {
                for (var seq = done + 1; seq <= cut.Through; seq++)
                    await DeleteSegmentAsync(id, seq, cancellationToken);
            }
            else
            {
                foreach (var prefix in new[] { ObjectKeys.SegmentsPrefix(id), ObjectKeys.ChunksPrefix(id) })
                    foreach (var key in await store.ListAsync(prefix, cancellationToken))
                        if (SequenceOfKey(key) is { } seq && seq <= cut.Through)
                            await store.DeleteAsync(key, cancellationToken);
            }
            view.DeletedThrough = Math.Max(view.DeletedThrough ?? -1, cut.Through);
            await Events.DeleteThroughAsync(id, cut.Through, cancellationToken);
            foreach (var key in await store.ListAsync(ObjectKeys.RetentionPrefix(id), cancellationToken))
                if (SequenceOfKey(key) is { } through && through < view.Playlist.TrimmedThrough)
                    await store.DeleteAsync(key, cancellationToken);
            lock (view.PendingDeletes) view.PendingDeletes.Dequeue();
        }
    }

    private async Task DeleteSegmentAsync(StreamId id, long sequence, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(ObjectKeys.Segment(id, sequence), cancellationToken);
        await store.DeleteAsync(ObjectKeys.SegmentRecord(id, sequence), cancellationToken);
        await store.DeleteAsync(ObjectKeys.Chunk(id, sequence), cancellationToken);
    }

    /// <summary>
    /// Ingest purged the stream: forget it, and delete again whatever this side wrote for it after Ingest's deletes
    /// (a late end marker or playlist), unless the id is already in use by a stream started after the purged one.
    /// </summary>
    public async Task OnStreamPurgedAsync(StreamPurged purged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(purged);
        var id = StreamId.Parse(purged.StreamId);
        if (_streams.TryGetValue(id, out var view) && (view.StartedAt is null || view.StartedAt <= purged.StartedAt)
            && _streams.TryRemove(new KeyValuePair<StreamId, StreamView>(id, view)))
        {
            // Wait out a playlist write in flight, and keep any later one from landing.
            await view.Gate.WaitAsync(cancellationToken);
            view.Forgotten = true;
            view.Gate.Release();
        }
        if (await store.GetAsync(ObjectKeys.StreamDescriptor(id), cancellationToken) is { } json
            && StreamDescriptor.Parse(json).StartedAt > purged.StartedAt)
            return;
        Events.Forget(id);
        foreach (var key in await store.ListAsync(ObjectKeys.StreamPrefix(id), cancellationToken))
            if (key != ObjectKeys.StreamDescriptor(id))
                await store.DeleteAsync(key, cancellationToken);
    }

    /// <summary>Writes the playlists when their version moved; one writer per stream keeps older text from overwriting newer.</summary>
    private async Task PersistAsync(StreamView view, CancellationToken cancellationToken)
    {
        await view.Gate.WaitAsync(cancellationToken);
        try
        {
            var playlist = view.Playlist;
            var version = playlist.Version;
            if (version == view.WrittenVersion || view.Forgotten) return;
            var id = playlist.StreamId;
            var complete = playlist.IsComplete;
            if (!options.VodOnly)
            {
                await PutTextAsync(ObjectKeys.Playlist(id, LivePlaylist), playlist.Render(PlaylistView.Live), cancellationToken);
                await PutTextAsync(ObjectKeys.Playlist(id, IndexPlaylist), playlist.Render(PlaylistView.Event), cancellationToken);
            }
            if (complete && (!view.Completed.Task.IsCompleted || view.DetectionsStale))
            {
                // Written again after retention removed segments, so it lists only what is left.
                view.DetectionsStale = false;
                await WriteDetectionsAsync(id, playlist.TrimmedThrough, cancellationToken);
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
    private async Task WriteDetectionsAsync(StreamId id, long trimmedThrough, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        foreach (var key in await store.ListAsync(ObjectKeys.SegmentsPrefix(id), cancellationToken))
        {
            if (!key.EndsWith(".json", StringComparison.Ordinal)) continue;
            // Records retention removed (or is removing: another replica may delete between list and read) are left out.
            if (SequenceOfKey(key) <= trimmedThrough || await store.GetAsync(key, cancellationToken) is not { } json) continue;
            var record = SegmentRecord.Parse(json);
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

    private sealed class StreamView(StreamPlaylistState playlist, DetectionIndex index, RetentionPolicy policy)
    {
        public StreamPlaylistState Playlist { get; } = playlist;
        public DetectionIndex Index { get; } = index;
        public RetentionPolicy Policy { get; } = policy;

        /// <summary>When the stream this view shows was started (its descriptor), so a purge of an older one with the same id leaves it alone.</summary>
        public DateTimeOffset? StartedAt { get; init; }

        /// <summary>Cuts applied whose objects are still to be deleted, with when they may be.</summary>
        public Queue<(RetentionCut Cut, DateTimeOffset Due)> PendingDeletes { get; } = new();

        /// <summary>Objects up to this sequence were deleted by this process; null until the first deletion.</summary>
        public long? DeletedThrough { get; set; }

        public volatile bool DetectionsStale;
        public volatile bool Forgotten;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public long WrittenVersion { get; set; } = -1;
        public DateTimeOffset LastInput { get; set; }
        public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
