using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Search;

/// <summary>
/// One stream's searchable detections, built incrementally from segment records (each sequence counts once,
/// whatever the delivery order). Keeps only frames that found something, plus a small summary per segment.
/// Thread-safe.
/// </summary>
public sealed class DetectionIndex
{
    public const int DefaultQueryLimit = 1000;

    private readonly Lock _gate = new();
    private readonly SortedList<long, Entry> _segments = [];
    private long _forgottenThrough = -1;

    public DetectionIndex(StreamId streamId) => StreamId = streamId;

    public StreamId StreamId { get; }

    public int SegmentCount { get { lock (_gate) return _segments.Count; } }

    /// <summary>Indexes a record; false when its sequence is already indexed (redelivery) or was forgotten (retention).</summary>
    public bool Add(SegmentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.StreamId != StreamId.Value)
            throw new ArgumentException($"Segment record of stream '{record.StreamId}' offered to the index of '{StreamId}'.");
        record.Validate();
        var frames = record.Frames
            .Where(f => f.Detections.Count > 0)
            .OrderBy(f => f.T)
            .Select(f => new DetectionLine(record.Sequence, f.T, [.. f.Detections]))
            .ToArray();
        var labels = frames
            .SelectMany(f => f.Detections)
            .GroupBy(d => d.Label, StringComparer.Ordinal)
            .Select(g => new LabelSummary(g.Key, g.Count(), g.Max(d => d.Score)))
            .OrderBy(l => l.Label, StringComparer.Ordinal)
            .ToArray();
        var summary = new SegmentSummary(record.Sequence, record.Start, record.DurationSeconds, record.Annotated, labels, record.AnalysedFps);
        var analysis = record.AnalysedFps is { } fps ? new StreamAnalysis(fps, record.DetectFps ?? fps) : null;
        lock (_gate)
            return record.Sequence > _forgottenThrough && _segments.TryAdd(record.Sequence, new Entry(summary, frames, analysis));
    }

    /// <summary>
    /// Retention removed every segment up to <paramref name="sequence"/>: search, timeline and labels forget them,
    /// and a late record of one is not indexed again. Returns how many indexed segments went.
    /// </summary>
    public int ForgetThrough(long sequence)
    {
        lock (_gate)
        {
            if (sequence <= _forgottenThrough) return 0;
            _forgottenThrough = sequence;
            var removed = 0;
            while (_segments.Count > 0 && _segments.Keys[0] <= sequence)
            {
                _segments.RemoveAt(0);
                removed++;
            }
            return removed;
        }
    }

    /// <summary>
    /// Frames with a detection, in segment then time order, optionally only those showing <paramref name="label"/>
    /// (case-insensitive; the returned frames then hold just that label's detections) and with
    /// <paramref name="fromSeconds"/> &lt;= t &lt;= <paramref name="toSeconds"/>. At most <paramref name="limit"/> hits.
    /// </summary>
    public IReadOnlyList<DetectionLine> Query(string? label = null, double? fromSeconds = null, double? toSeconds = null, int limit = DefaultQueryLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (fromSeconds is { } f && toSeconds is { } t && t < f)
            throw new ArgumentException($"Time range is empty: from {f} s is after to {t} s.");
        var wanted = string.IsNullOrWhiteSpace(label) ? null : label.Trim();
        var hits = new List<DetectionLine>();
        lock (_gate)
        {
            foreach (var entry in _segments.Values)
            {
                foreach (var frame in entry.Frames)
                {
                    if (frame.T < fromSeconds)
                        continue;
                    if (frame.T > toSeconds)
                        break; // frames are in time order within a segment
                    var hit = wanted is null ? frame : OnlyLabel(frame, wanted);
                    if (hit is null)
                        continue;
                    hits.Add(hit);
                    if (hits.Count == limit)
                        return hits;
                }
            }
        }
        return hits;
    }

    /// <summary>Every indexed segment in sequence order, for a viewer timeline.</summary>
    public IReadOnlyList<SegmentSummary> Timeline()
    {
        lock (_gate)
            return [.. _segments.Values.Select(e => e.Summary)];
    }

    /// <summary>How the latest segment that records its rate was analysed (the highest such sequence), or null.</summary>
    public StreamAnalysis? LatestAnalysis()
    {
        lock (_gate)
        {
            for (var i = _segments.Count - 1; i >= 0; i--)
                if (_segments.Values[i].Analysis is { } analysis) return analysis;
        }
        return null;
    }

    /// <summary>Every label seen so far, ordered.</summary>
    public IReadOnlyList<string> Labels()
    {
        lock (_gate)
        {
            return [.. _segments.Values
                .SelectMany(e => e.Summary.Labels.Select(l => l.Label))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)];
        }
    }

    private static DetectionLine? OnlyLabel(DetectionLine frame, string label)
    {
        var matching = frame.Detections.Where(d => string.Equals(d.Label, label, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (matching.Length == 0)
            return null;
        return matching.Length == frame.Detections.Count ? frame : frame with { Detections = matching };
    }

    private sealed record Entry(SegmentSummary Summary, DetectionLine[] Frames, StreamAnalysis? Analysis);
}
