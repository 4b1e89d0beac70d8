using DaprVideo.Core.Events;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// Turns one chunk's tracker steps into events: a confirmed track opens one, every frame it is matched on moves its
/// end, score and zones on, and the tracker giving it up ends it. Frame times are on the stream's media timeline;
/// wall-clock times are the chunk's start plus the frame's offset into it.
/// </summary>
public sealed class TrackEventLog
{
    private readonly StreamId _stream;
    private readonly long _sequence;
    private readonly DateTimeOffset _chunkStart;
    private readonly double _chunkOffset;
    private readonly IReadOnlyList<Zone> _zones;
    private readonly DateTimeOffset _now;
    private readonly Dictionary<long, OpenEvent> _open = [];
    private readonly List<TrackEvent> _ended = [];
    private readonly HashSet<long> _started = [];
    private readonly HashSet<long> _updated = [];

    public TrackEventLog(StreamId stream, long sequence, DateTimeOffset chunkStart, double chunkOffset,
        IReadOnlyList<Zone>? zones, IEnumerable<OpenEvent> open, DateTimeOffset now)
    {
        (_stream, _sequence, _chunkStart, _chunkOffset, _zones, _now) = (stream, sequence, chunkStart, chunkOffset, zones ?? [], now);
        foreach (var e in open) _open[e.Event.TrackId] = e;
    }

    /// <summary>The events still open after what was observed.</summary>
    public IReadOnlyList<OpenEvent> Open => [.. _open.Values.OrderBy(e => e.Event.TrackId)];

    /// <summary>
    /// Applies the tracker's step at stream time <paramref name="t"/>; returns the tracks whose event has a new best
    /// score at this frame (the caller keeps the frame for their snapshots).
    /// </summary>
    public IReadOnlyList<(long TrackId, BoundingBox Box)> Observe(double t, TrackerStep step)
    {
        var at = WallClock(t);
        foreach (var id in step.Started)
        {
            if (_open.ContainsKey(id)) continue;
            _open[id] = new OpenEvent(new TrackEvent(new EventId(_stream, id).ToString(), _stream.Value, id, "", at, null, t, null, 0f, [],
                _sequence, _sequence, t, default, ObjectKeys.EventSnapshot(_stream, id), ObjectKeys.EventCrop(_stream, id), _now), t, at);
            _started.Add(id);
        }

        List<(long, BoundingBox)>? best = null;
        foreach (var d in step.Detections)
        {
            if (d.TrackId is not { } id || !_open.TryGetValue(id, out var open)) continue;
            var e = open.Event;
            var zones = e.Zones;
            var bottomX = d.Box.X + d.Box.W / 2;
            var bottomY = d.Box.Bottom;
            foreach (var zone in _zones)
            {
                if (!zones.Contains(zone.Name) && zone.Contains(bottomX, bottomY)) zones = [.. zones, zone.Name];
            }
            var improved = d.Score > e.MaxScore;
            if (improved) (best ??= []).Add((id, d.Box));
            _updated.Add(id);
            e = e with
            {
                Label = d.Label,
                Zones = zones,
                LastSequence = _sequence,
                MaxScore = improved ? d.Score : e.MaxScore,
                BestSeconds = improved ? t : e.BestSeconds,
                BestBox = improved ? d.Box : e.BestBox,
                UpdatedAt = _now,
            };
            _open[id] = new OpenEvent(e, t, at);
        }

        foreach (var end in step.Ended) Close(end.TrackId);
        return best ?? (IReadOnlyList<(long, BoundingBox)>)[];
    }

    /// <summary>Ends every open event at its object's last sighting (a gap in the video, or the stream's end).</summary>
    public void CloseAll()
    {
        foreach (var id in _open.Keys.ToList()) Close(id);
    }

    /// <summary>
    /// What changed in this chunk, in the order to publish: each event touched, with <c>started</c> for those that began
    /// here, <c>ended</c> for those that finished here (both, in that order, for one that did both), <c>updated</c> for one
    /// that was seen here and goes on (its segment range, score or zones moved on).
    /// </summary>
    public IReadOnlyList<(TrackEvent Event, string Change)> Changes()
    {
        var changes = new List<(TrackEvent, string)>();
        foreach (var e in _ended.Concat(_open.Values.Select(o => o.Event)).OrderBy(e => e.TrackId))
        {
            var ended = e.End is not null;
            if (_started.Contains(e.TrackId)) changes.Add((e, TrackEventChanged.Started));
            if (ended) changes.Add((e, TrackEventChanged.Ended));
            else if (!_started.Contains(e.TrackId) && _updated.Contains(e.TrackId)) changes.Add((e, TrackEventChanged.Updated));
        }
        return changes;
    }

    private void Close(long id)
    {
        if (!_open.Remove(id, out var open)) return;
        _ended.Add(open.Event with { End = open.LastSeenAt, EndSeconds = open.LastSeen, UpdatedAt = _now });
    }

    // To the millisecond: frame times are sums of doubles (12.2 - 12 is 0.19999...).
    private DateTimeOffset WallClock(double t) => _chunkStart + TimeSpan.FromMilliseconds(Math.Round(Math.Max(0, t - _chunkOffset) * 1000));
}
