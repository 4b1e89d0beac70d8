using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// Every stream's events (<see cref="TrackEvent"/>), searchable and paged newest first. Each event is kept in its
/// latest version whatever the order versions arrive in (<see cref="Supersedes"/>), so applying the same records in
/// any order, any number of times, leaves the same index (as <see cref="Search.DetectionIndex"/> does for segments).
/// Retention (<see cref="ForgetThrough"/>) and purges (<see cref="Forget"/>) remove events. Thread-safe.
/// </summary>
public sealed class EventIndex
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    private readonly Lock _gate = new();
    private readonly Dictionary<StreamId, StreamEvents> _streams = [];

    /// <summary>Indexes an event version; false when the index already holds it or a newer one, or retention removed it.</summary>
    public bool Apply(TrackEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!EventId.TryParse(e.Id, out var id) || id.Stream.Value != e.Stream || id.TrackId != e.TrackId)
            throw new ArgumentException($"Event '{e.Id}' does not match its stream '{e.Stream}' and track {e.TrackId}.");
        lock (_gate)
        {
            if (!_streams.TryGetValue(id.Stream, out var stream)) _streams[id.Stream] = stream = new StreamEvents();
            if (e.LastSequence <= stream.ForgottenThrough) return false;
            if (stream.Events.TryGetValue(e.TrackId, out var held) && !Supersedes(e, held)) return false;
            stream.Events[e.TrackId] = e;
            return true;
        }
    }

    /// <summary>
    /// Whether <paramref name="incoming"/> is a later version of <paramref name="held"/>: an end beats anything in
    /// progress (an update that arrives after the end never reopens it), then the later <see cref="TrackEvent.UpdatedAt"/>,
    /// then (two writes in one instant) the further <see cref="TrackEvent.LastSequence"/> and the higher score, so the
    /// choice never depends on arrival order.
    /// </summary>
    public static bool Supersedes(TrackEvent incoming, TrackEvent held)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(held);
        if (incoming.InProgress != held.InProgress) return !incoming.InProgress;
        var order = incoming.UpdatedAt.CompareTo(held.UpdatedAt);
        if (order == 0) order = incoming.LastSequence.CompareTo(held.LastSequence);
        if (order == 0) order = incoming.MaxScore.CompareTo(held.MaxScore);
        return order > 0;
    }

    public bool TryGet(EventId id, out TrackEvent e)
    {
        lock (_gate)
        {
            if (_streams.TryGetValue(id.Stream, out var stream) && stream.Events.TryGetValue(id.TrackId, out var found))
            {
                e = found;
                return true;
            }
        }
        e = null!;
        return false;
    }

    /// <summary>Whether the index has heard of the stream (an event of it, or a retention cut).</summary>
    public bool Knows(StreamId stream)
    {
        lock (_gate) return _streams.ContainsKey(stream);
    }

    /// <summary>
    /// Retention removed every segment up to <paramref name="sequence"/>: events that lie wholly in them go, and a late
    /// version of one is not indexed again. Returns the events removed.
    /// </summary>
    public IReadOnlyList<TrackEvent> ForgetThrough(StreamId stream, long sequence)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(stream, out var events)) _streams[stream] = events = new StreamEvents();
            if (sequence <= events.ForgottenThrough) return [];
            events.ForgottenThrough = sequence;
            var removed = events.Events.Values.Where(e => e.LastSequence <= sequence).ToList();
            foreach (var e in removed) events.Events.Remove(e.TrackId);
            return removed;
        }
    }

    /// <summary>The stream was purged: every event of it goes (a stream created again under the id starts afresh).</summary>
    public bool Forget(StreamId stream)
    {
        lock (_gate) return _streams.Remove(stream);
    }

    /// <summary>The stream's events that match, newest start first.</summary>
    public IReadOnlyList<TrackEvent> Query(StreamId stream, EventQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            if (!_streams.TryGetValue(stream, out var events)) return [];
            return Newest(events.Events.Values.Where(query.Matches));
        }
    }

    /// <summary>
    /// Events of every stream that match, newest start first, <paramref name="limit"/> at most, starting after
    /// <paramref name="after"/> (the previous page's <see cref="EventPage.Next"/>).
    /// </summary>
    public EventPage Page(EventQuery query, int limit = DefaultPageSize, EventCursor? after = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPageSize);
        List<TrackEvent> matching;
        lock (_gate)
        {
            matching = [.. _streams.Values.SelectMany(s => s.Events.Values)
                .Where(e => query.Matches(e) && (after is not { } c || EventCursor.Compare(e.Start, e.Id, c.Start, c.EventId) > 0))];
        }
        var sorted = Newest(matching);
        var page = sorted.Count > limit ? sorted.Take(limit).ToList() : sorted;
        return new EventPage(page, sorted.Count > limit ? EventCursor.After(page[^1]) : null);
    }

    private static List<TrackEvent> Newest(IEnumerable<TrackEvent> events)
    {
        var list = events.ToList();
        list.Sort(static (a, b) => EventCursor.Compare(a.Start, a.Id, b.Start, b.Id));
        return list;
    }

    private sealed class StreamEvents
    {
        public Dictionary<long, TrackEvent> Events { get; } = [];
        public long ForgottenThrough { get; set; } = -1;
    }
}
