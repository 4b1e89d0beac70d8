using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// Keeps the Playlist side's <see cref="EventIndex"/> from the object store: a <see cref="TrackEventChanged"/> is a
/// claim check, so the record it points at is read and indexed (the record, rewritten as the event goes on, is the
/// latest version whatever order the messages come in; its <see cref="TrackEvent.UpdatedAt"/> orders versions). The
/// index is rebuilt from the stored records at start, caught up per stream like the playlists
/// (<see cref="SyncAsync"/>), and loses events to retention (<see cref="PlaylistBuilder"/> calls
/// <see cref="ForgetThrough"/> and <see cref="DeleteThroughAsync"/>) and purges.
/// </summary>
public sealed class EventIndexer(IObjectStore store)
{
    public EventIndex Index { get; } = new();

    /// <summary>Indexes the event the message points at; false when its record is gone (retention, purge) or holds nothing new.</summary>
    public async Task<bool> OnEventChangedAsync(TrackEventChanged changed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var stream = StreamId.Parse(changed.StreamId);
        if (!EventId.TryParse(changed.EventId, out var id) || id.Stream != stream)
            throw new InvalidDataException($"Event id '{changed.EventId}' is not an event of stream '{stream}'.");
        // The key is derived, never taken from the message: it must not point anywhere else in the store.
        var key = ObjectKeys.Event(stream, id.TrackId);
        if (changed.EventKey != key) throw new InvalidDataException($"Event {id} names record '{changed.EventKey}', not {key}.");
        return await ApplyStoredAsync(key, cancellationToken);
    }

    /// <summary>Reads and indexes one stored event record; false when it is absent or nothing new.</summary>
    public async Task<bool> ApplyStoredAsync(string key, CancellationToken cancellationToken = default)
    {
        if (await store.GetAsync(key, cancellationToken) is not { } json) return false;
        var e = TrackEvent.Parse(json);
        var expected = EventId.TryParse(e.Id, out var id) ? ObjectKeys.Event(id.Stream, id.TrackId) : null;
        if (expected != key) throw new InvalidDataException($"Record {key} holds event '{e.Id}'.");
        return Index.Apply(e);
    }

    /// <summary>Whether a stored key is an event record (<c>streams/{id}/events/{trackId:D6}.json</c>).</summary>
    public static bool IsEventRecord(string key, out StreamId stream, out long trackId)
    {
        (stream, trackId) = (default, 0);
        var parts = key.Split('/');
        return parts is [_, var sid, "events", var file] && key.StartsWith(ObjectKeys.StreamsPrefix, StringComparison.Ordinal)
            && file.EndsWith(".json", StringComparison.Ordinal) && StreamId.TryParse(sid, out stream)
            && long.TryParse(file.AsSpan(0, file.Length - 5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out trackId)
            && trackId > 0 && key == ObjectKeys.Event(stream, trackId);
    }

    /// <summary>
    /// Catches one stream's events up with the store: reads the records this process does not hold or holds in
    /// progress (a replica handed only some messages then shows what one handed all shows). Ended events never change.
    /// </summary>
    public async Task SyncAsync(StreamId stream, CancellationToken cancellationToken = default)
    {
        foreach (var key in await store.ListAsync(ObjectKeys.EventsPrefix(stream), cancellationToken))
        {
            if (!IsEventRecord(key, out var id, out var trackId) || id != stream) continue;
            if (Index.TryGet(new EventId(id, trackId), out var held) && !held.InProgress) continue;
            try { await ApplyStoredAsync(key, cancellationToken); }
            catch (InvalidDataException) { /* an unreadable record costs its own event only */ }
        }
    }

    /// <summary>Retention cut the stream through <paramref name="sequence"/>: the events wholly inside leave the index.</summary>
    public void ForgetThrough(StreamId stream, long sequence) => Index.ForgetThrough(stream, sequence);

    /// <summary>
    /// Deletes the records and JPEGs of stored events that lie wholly in segments up to <paramref name="sequence"/>
    /// (after the cut's grace). Events still indexed lie after the cut; the others are read to know.
    /// </summary>
    public async Task DeleteThroughAsync(StreamId stream, long sequence, CancellationToken cancellationToken = default)
    {
        foreach (var key in await store.ListAsync(ObjectKeys.EventsPrefix(stream), cancellationToken))
        {
            if (!IsEventRecord(key, out var id, out var trackId) || id != stream || Index.TryGet(new EventId(id, trackId), out _)) continue;
            if (await store.GetAsync(key, cancellationToken) is not { } json) continue;
            TrackEvent e;
            try { e = TrackEvent.Parse(json); }
            catch (InvalidDataException) { continue; } // not ours to judge: left for a purge
            if (e.LastSequence > sequence) continue;
            await store.DeleteAsync(ObjectKeys.EventSnapshot(stream, trackId), cancellationToken);
            await store.DeleteAsync(ObjectKeys.EventCrop(stream, trackId), cancellationToken);
            await store.DeleteAsync(key, cancellationToken);
        }
    }

    /// <summary>The stream was purged (its objects are deleted by the purge itself).</summary>
    public void Forget(StreamId stream) => Index.Forget(stream);
}
