using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Playlist;

/// <summary>
/// One stream's playlist, fed by segment events that may come twice or out of order.
/// Only the contiguous run of sequences from <see cref="PlaylistOptions.FirstSequence"/> is published,
/// so every rendering is a prefix-extension of the one before (nothing is ever inserted or removed in
/// the middle). A hole is given up once <see cref="PlaylistOptions.HoleSkipThreshold"/> later segments
/// wait behind it; the next segment then carries a discontinuity. Waiting segments therefore never
/// exceed that threshold, so memory is bounded by the published list. Retention is the one exception to
/// "nothing is removed": <see cref="Trim"/> drops the oldest segments, and only from the front, as RFC 8216 §6.2.1
/// allows (the head numbers advance, so every segment that stays keeps its numbers). Thread-safe.
/// </summary>
public sealed class StreamPlaylistState
{
    private readonly Lock _gate = new();
    private readonly int _holeSkipThreshold;
    private readonly int _liveWindowTargetDurations;
    private readonly List<PlaylistSegment> _published = [];
    private readonly SortedList<long, PlaylistSegment> _waiting = [];
    // One slot per view, twice: without and with EXT-X-SERVER-CONTROL (see Render).
    private readonly string?[] _rendered = new string?[6];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _renderedVersion = -1;
    private long _version;
    private bool _complete;
    private long _next;
    private bool _skippedHole;
    private long? _lastSequence;
    private int _targetDuration;
    private int _liveWindowStart;
    private readonly bool _retained;
    private long? _headMediaSequence;
    private long _headDiscontinuitySequence;
    private bool _trimmed;
    private long _trimmedThrough = -1;

    /// <param name="streamId">The stream.</param>
    /// <param name="options">Playlist rules (copied).</param>
    /// <param name="retained">
    /// Retention applies to the stream: the full playlist may lose its oldest segments, so it is written as a sliding
    /// window from the start (no PLAYLIST-TYPE:EVENT, which the server may never change or remove later: §6.2.1).
    /// </param>
    public StreamPlaylistState(StreamId streamId, PlaylistOptions options, bool retained = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        StreamId = streamId;
        options.Validate();
        // Copied: the options object is mutable and the rules must not change under a running stream.
        _holeSkipThreshold = options.HoleSkipThreshold;
        _liveWindowTargetDurations = options.LiveWindowTargetDurations;
        _next = options.FirstSequence;
        _targetDuration = HlsPlaylist.TargetDuration(options.SegmentSeconds, []);
        _retained = retained;
    }

    /// <summary>Retention applies: index.m3u8 is a sliding window without PLAYLIST-TYPE.</summary>
    public bool Retained => _retained;

    /// <summary>The last sequence retention removed, -1 when none was.</summary>
    public long TrimmedThrough { get { lock (_gate) return _trimmedThrough; } }

    public StreamId StreamId { get; }

    /// <summary>Grows by one whenever the rendered text of any view changes; rewrite files only when it moved.</summary>
    public long Version { get { lock (_gate) return _version; } }

    /// <summary>
    /// Completes once <see cref="Version"/> is no longer <paramref name="version"/> (at once if it already moved on):
    /// what a blocking playlist reload waits on instead of polling.
    /// </summary>
    public Task ChangedSince(long version)
    {
        lock (_gate)
            return _version != version ? Task.CompletedTask : _changed.Task;
    }

    /// <summary>The Media Sequence Number of the last published segment (what a player asks for next, plus one); null while none is.</summary>
    public long? LastMediaSequence
    {
        get
        {
            lock (_gate)
                return _published.Count == 0 ? null : Head().MediaSequence + _published.Count - 1;
        }
    }

    /// <summary>True once ENDLIST is published: the stream ended and nothing before its last sequence is outstanding.</summary>
    public bool IsComplete { get { lock (_gate) return _complete; } }

    /// <summary>The last sequence announced by <see cref="End"/>, if any.</summary>
    public long? LastSequence { get { lock (_gate) return _lastSequence; } }

    /// <summary>The next sequence the playlist waits for.</summary>
    public long NextSequence { get { lock (_gate) return _next; } }

    public int TargetDuration { get { lock (_gate) return _targetDuration; } }

    /// <summary>A copy of the published segments in playlist order (discontinuity and start as published).</summary>
    public IReadOnlyList<PlaylistSegment> Segments { get { lock (_gate) return [.. _published]; } }

    /// <summary>Sequences from <see cref="NextSequence"/> up to (not including) <paramref name="before"/> that are neither
    /// published nor waiting, oldest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<long> Missing(long before, int limit)
    {
        lock (_gate)
        {
            var missing = new List<long>();
            var end = _lastSequence is { } last ? Math.Min(before, last + 1) : before;
            for (var seq = _next; seq < end && missing.Count < limit; seq++)
                if (!_waiting.ContainsKey(seq)) missing.Add(seq);
            return missing;
        }
    }

    /// <summary>Offers a segment. Returns true when the published playlist changed; duplicates, segments
    /// already given up and segments past the announced end change nothing.</summary>
    public bool Add(PlaylistSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        segment.Validate();
        lock (_gate)
        {
            if (segment.Sequence < _next || _waiting.ContainsKey(segment.Sequence) || segment.Sequence > _lastSequence)
                return false;
            _waiting.Add(segment.Sequence, segment);
            return Advance(skipAllHoles: false);
        }
    }

    /// <summary>The source stopped after <paramref name="lastSequence"/> (-1: it captured nothing).
    /// ENDLIST follows once every sequence up to it is published or given up. The first call wins.</summary>
    public bool End(long lastSequence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lastSequence, -1);
        lock (_gate)
        {
            if (_lastSequence is not null)
                return false;
            _lastSequence = lastSequence;
            while (_waiting.Count > 0 && _waiting.Keys[^1] > lastSequence)
                _waiting.RemoveAt(_waiting.Count - 1);
            return Advance(skipAllHoles: false);
        }
    }

    /// <summary>
    /// Gives up every hole now: publishes all waiting segments and, if the stream has ended, its missing tail.
    /// For the adapter to call when nothing has arrived for a while, so a lost segment never stalls a stream.
    /// </summary>
    public bool SkipMissing()
    {
        lock (_gate)
            return Advance(skipAllHoles: true);
    }

    /// <summary>
    /// The cut that removes the oldest <paramref name="count"/> published segments: the last of them and the numbers
    /// the segment after it then starts with. Null when <paramref name="count"/> is 0.
    /// </summary>
    public RetentionCut? CutOldest(int count)
    {
        lock (_gate)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _published.Count);
            if (count == 0) return null;
            var head = Head();
            return new RetentionCut(_published[count - 1].Sequence, head.MediaSequence + count,
                head.DiscontinuitySequence + HlsPlaylist.DiscontinuitiesBefore(_published, count, _trimmed));
        }
    }

    /// <summary>
    /// Drops every segment up to <see cref="RetentionCut.Through"/> (published or waiting) and numbers the rest from the
    /// cut; sequences up to it are never waited for again (a removed segment is not a hole). A cut at or before the
    /// last one applied changes nothing, so cuts may come in any order and any number of times.
    /// </summary>
    public bool Trim(RetentionCut cut)
    {
        ArgumentNullException.ThrowIfNull(cut);
        lock (_gate)
        {
            if (cut.Through <= _trimmedThrough) return false;
            var removed = 0;
            while (removed < _published.Count && _published[removed].Sequence <= cut.Through) removed++;
            _published.RemoveRange(0, removed);
            while (_waiting.Count > 0 && _waiting.Keys[0] <= cut.Through) _waiting.RemoveAt(0);
            if (_next <= cut.Through)
            {
                _next = cut.Through + 1;
                _skippedHole = false;
            }
            _trimmedThrough = cut.Through;
            _trimmed = true;
            // The cut's numbers, not a recount: a replica that never held the removed segments must agree.
            _headMediaSequence = cut.MediaSequence;
            _headDiscontinuitySequence = cut.DiscontinuitySequence;
            _liveWindowStart = Math.Max(0, _liveWindowStart - removed);
            _liveWindowStart = HlsPlaylist.LiveWindowStart(_published, _targetDuration, _liveWindowTargetDurations, _liveWindowStart);
            Advance(skipAllHoles: false);
            Changed();
            return true;
        }
    }

    private PlaylistHead Head() =>
        new(_headMediaSequence ?? (_published.Count > 0 ? _published[0].Sequence : 0), _headDiscontinuitySequence, _trimmed, _retained);

    /// <summary>The current text of a view; cached until the next change. VOD always ends with ENDLIST,
    /// so write it only once <see cref="IsComplete"/>.</summary>
    public string Render(PlaylistView view) => Render(view, canBlockReload: false);

    /// <summary><see cref="Render(PlaylistView)"/>, with <c>EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES</c> while it can grow when
    /// <paramref name="canBlockReload"/>: for a server that answers blocking playlist reloads (<see cref="HlsPlaylist.Render"/>),
    /// never for the copy in the store, which anything may serve.</summary>
    public string Render(PlaylistView view, bool canBlockReload)
    {
        lock (_gate)
        {
            if (_renderedVersion != _version)
            {
                Array.Clear(_rendered);
                _renderedVersion = _version;
            }
            return _rendered[(int)view + (canBlockReload ? 3 : 0)] ??=
                HlsPlaylist.Render(view, _published, _targetDuration, _complete, _liveWindowStart, Head(), canBlockReload);
        }
    }

    private bool Advance(bool skipAllHoles)
    {
        var changed = false;
        while (true)
        {
            while (_waiting.Remove(_next, out var segment))
            {
                Publish(segment);
                _next++;
                changed = true;
            }
            if (_waiting.Count == 0 || (!skipAllHoles && _waiting.Count < _holeSkipThreshold))
                break;
            _next = _waiting.Keys[0];
            _skippedHole = true;
        }
        if (skipAllHoles && _lastSequence is { } last && _next <= last)
            _next = last + 1;
        if (!_complete && _lastSequence is { } end && _next > end)
        {
            _complete = true;
            changed = true;
        }
        if (changed)
            Changed();
        return changed;
    }

    /// <summary>A new version: renderings are stale and whoever waits for a change is released. Under the lock.</summary>
    private void Changed()
    {
        _version++;
        var waiting = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.SetResult();
    }

    private void Publish(PlaylistSegment segment)
    {
        // Program date-times are written to the millisecond and must strictly increase for players
        // and for time search; a source clock that stepped back is nudged just past the previous segment.
        var start = TruncateToMilliseconds(segment.Start.ToUniversalTime());
        if (_published.Count > 0)
        {
            var previous = _published[^1];
            if (start <= previous.Start)
                start = previous.Start.AddMilliseconds(Math.Max(1, previous.DurationMilliseconds));
        }
        _published.Add(segment with { Start = start, Discontinuity = segment.Discontinuity || _skippedHole });
        _headMediaSequence ??= segment.Sequence;
        _skippedHole = false;
        _targetDuration = Math.Max(_targetDuration, HlsPlaylist.RoundedSeconds(segment.DurationSeconds));
        _liveWindowStart = HlsPlaylist.LiveWindowStart(_published, _targetDuration, _liveWindowTargetDurations, _liveWindowStart);
    }

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
}
