using System.Globalization;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// Follows the objects of one stream across its analysed frames (SORT/ByteTrack style; see the tracking notes in
/// docs/architecture.md). Not thread-safe: one stream's frames go through one tracker, in time order.
/// Each frame: every track's Kalman estimate moves to the frame's time; confirmed tracks lost for longer than
/// <see cref="TrackerOptions.MaxLostSeconds"/> end; then three optimal assignments, each only between what is left
/// (ByteTrack's order, Zhang et al. 2022, github.com/ifzhang/ByteTrack yolox/tracker/byte_tracker.py):
/// confirmed tracks with high-score detections, tracks matched at the previous frame with low-score detections, tentative
/// tracks with the remaining high-score ones. Left-over high-score detections start tentative tracks; a tentative track
/// missing one frame is dropped; one matched <see cref="TrackerOptions.ConfirmHits"/> times is confirmed and only then
/// takes an id, so one-frame false positives burn none.
/// </summary>
public sealed class ObjectTracker
{
    private readonly TrackerOptions _options;
    private readonly List<Track> _tracks = [];
    private readonly MinCostAssignment _assignment = new();
    private long _nextId;
    private double? _lastT;
    private Detection[] _last = [];

    // Scratch reused between frames (hot path: no LINQ, few allocations).
    private readonly List<int> _rows = [];
    private readonly List<int> _cols = [];
    private double[] _cost = [];
    private int[] _rowToCol = [];
    private int[] _trackOf = [];
    private bool[] _matched = [];

    /// <param name="state">Where the stream's previous chunk left off (null: a fresh tracker whose ids start at <paramref name="firstId"/>).</param>
    public ObjectTracker(TrackerOptions options, TrackerState? state = null, long firstId = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        if (state is null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(firstId, 1);
            _nextId = firstId;
            return;
        }
        if (state.NextId < 1) throw new ArgumentException($"Tracker state has next id {state.NextId} (want >= 1).", nameof(state));
        if (state.LastT is { } lastT && !double.IsFinite(lastT)) throw new ArgumentException("Tracker state has a non-finite last time.", nameof(state));
        if (state.Tracks is null || state.LastDetections is null) throw new ArgumentException("Tracker state lacks its tracks or last detections.", nameof(state));
        _nextId = state.NextId;
        _lastT = state.LastT;
        foreach (var snapshot in state.Tracks)
        {
            var track = Track.FromSnapshot(snapshot);
            if (track.Id is { } id && (id >= _nextId || FindConfirmed(id) is not null))
                throw new ArgumentException($"Tracker state has track id {id} twice or not below next id {_nextId}.", nameof(state));
            _tracks.Add(track);
        }
        _last = new Detection[state.LastDetections.Count];
        for (var i = 0; i < _last.Length; i++)
        {
            var d = state.LastDetections[i] ?? throw new ArgumentException("Tracker state has a null detection.", nameof(state));
            if (d.TrackId is { } id && FindConfirmed(id) is null)
                throw new ArgumentException($"Tracker state has a last detection of track {id}, which it does not hold.", nameof(state));
            _last[i] = d;
        }
    }

    /// <summary>
    /// Feeds the detections of the analysed frame at stream time <paramref name="t"/> (seconds, not decreasing).
    /// Returns them in the same order, those that belong to a confirmed track with <see cref="Detection.TrackId"/> set,
    /// plus the tracks confirmed and ended at this frame.
    /// </summary>
    public TrackerStep Update(double t, IReadOnlyList<Detection> detections)
    {
        CheckTime(t);
        ArgumentNullException.ThrowIfNull(detections);
        var n = detections.Count;
        for (var j = 0; j < n; j++)
        {
            var d = detections[j] ?? throw new ArgumentException($"Detection {j} is null.", nameof(detections));
            var b = d.Box;
            if (!float.IsFinite(b.X) || !float.IsFinite(b.Y) || !float.IsFinite(b.W) || !float.IsFinite(b.H) || b.W < 0 || b.H < 0 || !float.IsFinite(d.Score))
                throw new ArgumentException($"Detection {j} has a non-finite score or box, or a negative size: {d}.", nameof(detections));
        }

        var dt = _lastT is { } last ? t - last : 0;
        foreach (var track in _tracks) BoxKalman.Predict(_options, dt, track.Mean, track.Covariance);

        var ended = new List<TrackEnd>();
        var kept = 0;
        for (var i = 0; i < _tracks.Count; i++)
        {
            var track = _tracks[i];
            if (track.Confirmed && t - track.LastSeen > _options.MaxLostSeconds) ended.Add(new TrackEnd(track.Id!.Value, track.LastSeen));
            else _tracks[kept++] = track;
        }
        _tracks.RemoveRange(kept, _tracks.Count - kept);

        if (_trackOf.Length < n) _trackOf = new int[n];
        Array.Fill(_trackOf, -1, 0, n);
        if (_matched.Length < _tracks.Count) _matched = new bool[_tracks.Count];
        Array.Clear(_matched, 0, _tracks.Count);

        // 1. Confirmed tracks (followed or lost) with high-score detections.
        _rows.Clear();
        for (var i = 0; i < _tracks.Count; i++) if (_tracks[i].Confirmed) _rows.Add(i);
        SelectDetections(detections, high: true);
        Associate(detections, lowStage: false);
        // 2. Tracks followed at the previous frame and still unmatched with low-score detections (ByteTrack's second stage).
        _rows.Clear();
        for (var i = 0; i < _tracks.Count; i++) if (_tracks[i].Confirmed && _tracks[i].MatchedLast && !_matched[i]) _rows.Add(i);
        SelectDetections(detections, high: false);
        Associate(detections, lowStage: true);
        // 3. Tentative tracks with the high-score detections left.
        _rows.Clear();
        for (var i = 0; i < _tracks.Count; i++) if (!_tracks[i].Confirmed) _rows.Add(i);
        SelectDetections(detections, high: true);
        Associate(detections, lowStage: false);

        var started = new List<long>();
        var output = new Detection[n];
        for (var j = 0; j < n; j++)
        {
            var d = detections[j];
            long? id = null;
            if (_trackOf[j] >= 0)
            {
                var track = _tracks[_trackOf[j]];
                var (cx, cy, w, h) = Centre(d.Box);
                BoxKalman.Update(_options, track.Mean, track.Covariance, cx, cy, w, h);
                track.Hits++;
                track.LastSeen = t;
                if (!track.Confirmed && track.Hits >= _options.ConfirmHits) Confirm(track, started);
                id = track.Id;
            }
            output[j] = d.TrackId == id ? d : d with { TrackId = id };
        }

        kept = 0;
        for (var i = 0; i < _tracks.Count; i++)
        {
            var track = _tracks[i];
            track.MatchedLast = _matched[i];
            if (_matched[i] || track.Confirmed) _tracks[kept++] = track; // a tentative track missing a frame is dropped
        }
        _tracks.RemoveRange(kept, _tracks.Count - kept);

        for (var j = 0; j < n; j++)
        {
            var d = detections[j];
            if (_trackOf[j] >= 0 || d.Score < _options.HighScore) continue;
            var track = new Track { ClassId = d.ClassId, Hits = 1, LastSeen = t, MatchedLast = true };
            var (cx, cy, w, h) = Centre(d.Box);
            BoxKalman.Initiate(_options, cx, cy, w, h, track.Mean, track.Covariance);
            _tracks.Add(track);
            if (_options.ConfirmHits <= 1)
            {
                Confirm(track, started);
                output[j] = d with { TrackId = track.Id };
            }
        }

        _lastT = t;
        _last = output;
        return new TrackerStep(output, started, ended);
    }

    /// <summary>
    /// What to draw at time <paramref name="t"/> (at or after the last update, before the next): the confirmed tracks
    /// matched at the last update, moved along their motion to <paramref name="t"/> (score and id kept), plus the last
    /// update's untracked detections where they were. Does not change the tracker.
    /// </summary>
    public IReadOnlyList<Detection> Predict(double t)
    {
        CheckTime(t);
        if (_lastT is not { } last) return [];
        var dt = t - last;
        var result = new Detection[_last.Length];
        for (var j = 0; j < _last.Length; j++)
        {
            var d = _last[j];
            var track = d.TrackId is { } id ? FindConfirmed(id) : null;
            if (track is null || dt == 0)
            {
                result[j] = d;
                continue;
            }
            // The detector's own box, moved by the estimated velocity: continuous with what the analysed frame drew.
            var m = track.Mean;
            var (cx, cy, w, h) = Centre(d.Box);
            cx += m[4] * dt;
            cy += m[5] * dt;
            w = Math.Max(0, w + m[6] * dt);
            h = Math.Max(0, h + m[7] * dt);
            var box = BoundingBox.FromCorners((float)(cy - h / 2), (float)(cx - w / 2), (float)(cy + h / 2), (float)(cx + w / 2));
            result[j] = d with { Box = box };
        }
        return result;
    }

    /// <summary>Everything needed to continue in another process (JSON through <c>CoreJsonContext</c>).</summary>
    public TrackerState State
    {
        get
        {
            var tracks = new TrackSnapshot[_tracks.Count];
            for (var i = 0; i < tracks.Length; i++) tracks[i] = _tracks[i].ToSnapshot();
            return new TrackerState(_nextId, _lastT, tracks, (Detection[])_last.Clone());
        }
    }

    private void Confirm(Track track, List<long> started)
    {
        track.Id = _nextId++;
        started.Add(track.Id.Value);
    }

    private void SelectDetections(IReadOnlyList<Detection> detections, bool high)
    {
        _cols.Clear();
        for (var j = 0; j < detections.Count; j++)
            if (_trackOf[j] < 0 && (detections[j].Score >= _options.HighScore) == high) _cols.Add(j);
    }

    /// <summary>
    /// Optimal assignment of <see cref="_rows"/> (tracks) to <see cref="_cols"/> (detections). Cost 1 - DIoU of the
    /// predicted box and the detection (Zheng et al. 2020): IoU, plus the squared centre distance over the enclosing box's
    /// squared diagonal, so of two overlapping candidates the one where the motion put the track wins (objects crossing).
    /// Admitted: same class, and overlap of at least the stage's IoU, or (high stage) within the motion gate.
    /// </summary>
    private void Associate(IReadOnlyList<Detection> detections, bool lowStage)
    {
        var rows = _rows.Count;
        var cols = _cols.Count;
        if (rows == 0 || cols == 0) return;
        if (_cost.Length < rows * cols) _cost = new double[rows * cols];
        if (_rowToCol.Length < rows) _rowToCol = new int[rows];
        var minIou = lowStage ? _options.LowMinIou : _options.MinIou;
        for (var r = 0; r < rows; r++)
        {
            var track = _tracks[_rows[r]];
            var m = track.Mean;
            double px0 = m[0] - m[2] / 2, py0 = m[1] - m[3] / 2, px1 = m[0] + m[2] / 2, py1 = m[1] + m[3] / 2;
            for (var c = 0; c < cols; c++)
            {
                var d = detections[_cols[c]];
                var cost = MinCostAssignment.Forbidden;
                if (d.ClassId == track.ClassId)
                {
                    var b = d.Box;
                    double dx0 = b.X, dy0 = b.Y, dx1 = b.X + (double)b.W, dy1 = b.Y + (double)b.H;
                    var iw = Math.Min(px1, dx1) - Math.Max(px0, dx0);
                    var ih = Math.Min(py1, dy1) - Math.Max(py0, dy0);
                    var inter = iw > 0 && ih > 0 ? iw * ih : 0;
                    var union = (px1 - px0) * (py1 - py0) + (dx1 - dx0) * (dy1 - dy0) - inter;
                    var iou = union > 0 ? inter / union : 0;
                    var admitted = iou >= minIou;
                    // The motion gate only for tracks seen at the last frame: a lost track's uncertainty grows every frame,
                    // and its gate would soon admit a different object far from where it was lost (EventsBench: a
                    // person leaving took the id of one entering 380 px away). A lost track comes back by overlap.
                    if (!admitted && !lowStage && track.MatchedLast)
                    {
                        var (cx, cy, w, h) = Centre(b);
                        admitted = BoxKalman.Distance(_options, m, track.Covariance, cx, cy, w, h) <= _options.GateChiSquare;
                    }
                    if (admitted)
                    {
                        var ex = Math.Max(px1, dx1) - Math.Min(px0, dx0);
                        var ey = Math.Max(py1, dy1) - Math.Min(py0, dy0);
                        var diagonal = ex * ex + ey * ey;
                        var ox = (px0 + px1 - dx0 - dx1) / 2;
                        var oy = (py0 + py1 - dy0 - dy1) / 2;
                        var candidate = 1 - iou + (diagonal > 0 ? (ox * ox + oy * oy) / diagonal : 0);
                        if (candidate < _options.MaxMatchCost) cost = candidate;
                    }
                }
                _cost[r * cols + c] = cost;
            }
        }
        _assignment.Solve(_cost.AsSpan(0, rows * cols), rows, cols, _options.MaxMatchCost, _rowToCol);
        for (var r = 0; r < rows; r++)
        {
            var c = _rowToCol[r];
            if (c < 0) continue;
            _trackOf[_cols[c]] = _rows[r];
            _matched[_rows[r]] = true;
        }
    }

    private Track? FindConfirmed(long id)
    {
        foreach (var track in _tracks) if (track.Id == id) return track;
        return null;
    }

    private void CheckTime(double t)
    {
        if (!double.IsFinite(t)) throw new ArgumentException($"Tracker time must be a finite number of seconds, not {t.ToString(CultureInfo.InvariantCulture)}.", nameof(t));
        if (_lastT is { } last && t < last)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Tracker time {t} s is before the last analysed frame's {last} s (frames go in time order)."), nameof(t));
    }

    private static (double Cx, double Cy, double W, double H) Centre(BoundingBox b) =>
        (b.X + b.W / 2.0, b.Y + b.H / 2.0, b.W, b.H);
}
