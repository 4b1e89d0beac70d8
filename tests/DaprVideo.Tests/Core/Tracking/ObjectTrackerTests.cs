using System.Text.Json;
using DaprVideo.Core;
using DaprVideo.Core.Tracking;
using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Tracking;

public class ObjectTrackerTests
{
    private static readonly TrackerOptions Defaults = new();

    private static Detection Box(double cx, double cy, double w = 0.1, double h = 0.3, float score = 0.9f, int classId = 1, string label = "person") =>
        new(label, classId, score, new BoundingBox((float)(cx - w / 2), (float)(cy - h / 2), (float)w, (float)h));

    /// <summary>Linear motion: centre at time t.</summary>
    private static (double X, double Y) At(double x0, double y0, double vx, double vy, double t) => (x0 + vx * t, y0 + vy * t);

    [Fact]
    public void Two_objects_crossing_with_one_missed_at_the_crossing_keep_their_two_ids()
    {
        var tracker = new ObjectTracker(Defaults);
        var idsA = new List<long?>();
        var idsB = new List<long?>();
        var started = new List<long>();
        var overlapping = 0;
        // A walks right, B walks left a little lower; they cross at t = 2.5 s. 5 fps.
        for (var k = 0; k <= 25; k++)
        {
            var t = k * 0.2;
            var a = At(0.25, 0.40, 0.1, 0, t);
            var b = At(0.75, 0.45, -0.1, 0, t);
            var boxA = Box(a.X, a.Y, w: 0.15);
            var boxB = Box(b.X, b.Y, w: 0.15);
            if (boxA.Box.IntersectionOverUnion(boxB.Box) > 0.1) overlapping++;
            var missB = k is 12 or 13; // the detector loses B while it passes behind A
            var step = tracker.Update(t, missB ? [boxA] : [boxA, boxB]);
            started.AddRange(step.Started);
            Assert.Empty(step.Ended);
            idsA.Add(step.Detections[0].TrackId);
            if (!missB) idsB.Add(step.Detections[1].TrackId);
        }

        Assert.True(overlapping >= 3, $"the boxes overlap on {overlapping} frames only: not a crossing");
        Assert.Equal(2, started.Count);
        Assert.Null(idsA[0]); // confirmed at the second frame
        Assert.All(idsA.Skip(1), id => Assert.Equal(started[0], id));
        Assert.All(idsB.Skip(1), id => Assert.Equal(started[1], id));
    }

    [Fact]
    public void Crossing_at_1_fps_after_5_fps_keeps_ids()
    {
        var tracker = new ObjectTracker(Defaults);
        var times = new List<double>();
        for (var t = 0.0; t < 1.5; t += 0.2) times.Add(t);
        for (var t = 2.0; t <= 7.0; t += 1.0) times.Add(t); // the analysis rate fell to 1 fps under load
        var idsA = new HashSet<long?>();
        var idsB = new HashSet<long?>();
        foreach (var t in times)
        {
            var a = At(0.10, 0.40, 0.11, 0, t);
            var b = At(0.90, 0.46, -0.11, 0, t);
            var step = tracker.Update(t, [Box(a.X, a.Y), Box(b.X, b.Y)]);
            if (t > 0) { idsA.Add(step.Detections[0].TrackId); idsB.Add(step.Detections[1].TrackId); }
        }
        Assert.Equal([1L], idsA.Cast<long>());
        Assert.Equal([2L], idsB.Cast<long>());
    }

    [Fact]
    public void An_object_first_seen_at_1_fps_moving_a_box_width_per_frame_is_confirmed_and_kept()
    {
        // Its boxes never overlap from one analysed frame to the next: only the motion gate pairs them.
        var tracker = new ObjectTracker(Defaults);
        var ids = new List<long?>();
        for (var k = 0; k < 6; k++)
        {
            var p = At(0.1, 0.5, 0.12, 0, k);
            var step = tracker.Update(k, [Box(p.X, p.Y)]);
            ids.Add(step.Detections[0].TrackId);
        }
        Assert.Equal(new long?[] { null, 1, 1, 1, 1, 1 }, ids);
    }

    [Fact]
    public void Two_people_walking_side_by_side_first_seen_at_1_fps_are_not_swapped()
    {
        // Each moves more than its width per analysed frame, so the follower's new box overlaps the leader's old one more
        // than its own old one: IoU alone would swap them; the centre distance term keeps them apart. Confirmed at once so
        // that a swap at the second frame, while the velocities are still unknown, shows in the ids.
        var tracker = new ObjectTracker(Defaults with { ConfirmHits = 1 });
        var leader = new List<long?>();
        var follower = new List<long?>();
        for (var k = 0; k < 5; k++)
        {
            var step = tracker.Update(k, [Box(0.1 + 0.12 * k, 0.5), Box(0.3 + 0.12 * k, 0.5)]);
            follower.Add(step.Detections[0].TrackId);
            leader.Add(step.Detections[1].TrackId);
        }
        Assert.Equal(new long?[] { 1, 1, 1, 1, 1 }, follower);
        Assert.Equal(new long?[] { 2, 2, 2, 2, 2 }, leader);
    }

    [Fact]
    public void An_object_that_left_ends_with_its_last_seen_time_and_a_new_one_gets_a_new_id()
    {
        var tracker = new ObjectTracker(Defaults);
        var ended = new List<TrackEnd>();
        var started = new List<(double T, long Id)>();
        var ids = new HashSet<long>();
        for (var k = 0; k <= 50; k++)
        {
            var t = k * 0.2;
            List<Detection> dets = [];
            if (t <= 2.0001) dets.Add(Box(0.3 + 0.1 * t, 0.5)); // leaves (the detector stops seeing it) after 2 s
            if (t >= 6) dets.Add(Box(0.3 + 0.1 * (t - 6), 0.5)); // a new one walks the same way 4 s later
            var step = tracker.Update(t, dets);
            ended.AddRange(step.Ended);
            foreach (var id in step.Started) started.Add((t, id));
            foreach (var d in step.Detections) if (d.TrackId is { } id) ids.Add(id);
            if (step.Ended.Count > 0) Assert.True(t > 2.0 + Defaults.MaxLostSeconds && t < 2.0 + Defaults.MaxLostSeconds + 0.21, $"ended at {t}");
        }
        var end = Assert.Single(ended);
        Assert.Equal(1, end.TrackId);
        Assert.Equal(2.0, end.LastSeen, 6);
        Assert.Equal([(0.2, 1L), (6.2, 2L)], started.Select(s => (Math.Round(s.T, 6), s.Id)));
        Assert.Equal([1L, 2L], ids.Order());
    }

    [Fact]
    public void A_false_positive_on_one_frame_never_gets_an_id_nor_burns_one()
    {
        var tracker = new ObjectTracker(Defaults);
        var fp = tracker.Update(0, [Box(0.7, 0.3, score: 0.95f)]);
        Assert.Null(fp.Detections[0].TrackId);
        Assert.Empty(fp.Started);
        Assert.Null(Assert.Single(tracker.Predict(0.1)).TrackId);

        long? last = null;
        for (var k = 1; k <= 4; k++)
        {
            var step = tracker.Update(k * 0.2, [Box(0.2, 0.6)]); // elsewhere: the false positive's track is dropped
            last = step.Detections[0].TrackId;
        }
        Assert.Equal(1, last);
        Assert.DoesNotContain(tracker.State.Tracks, s => s.Id is null);
    }

    [Fact]
    public void A_low_score_detection_keeps_a_followed_track_but_never_starts_one()
    {
        var tracker = new ObjectTracker(Defaults);
        tracker.Update(0, [Box(0.3, 0.5), Box(0.8, 0.5, score: 0.55f)]);
        var second = tracker.Update(0.2, [Box(0.31, 0.5), Box(0.8, 0.5, score: 0.55f)]);
        Assert.Equal(1, second.Detections[0].TrackId);
        Assert.Null(second.Detections[1].TrackId);
        var weak = tracker.Update(0.4, [Box(0.32, 0.5, score: 0.52f), Box(0.8, 0.5, score: 0.55f)]);
        Assert.Equal(1, weak.Detections[0].TrackId);
        Assert.Null(weak.Detections[1].TrackId);
        Assert.Equal(0.52f, weak.Detections[0].Score);
        Assert.Single(tracker.State.Tracks);
    }

    [Fact]
    public void Lost_then_found_within_MaxLostSeconds_keeps_its_id()
    {
        var tracker = new ObjectTracker(Defaults);
        var ids = new List<long?>();
        for (var k = 0; k <= 20; k++)
        {
            var t = k * 0.2;
            var hidden = t is > 1.0 and < 2.9; // 1.8 s unseen (last seen 1.0, found at 2.8 + 0.2 = 3.0 at the latest)
            var p = At(0.2, 0.5, 0.05, 0, t);
            var step = tracker.Update(t, hidden ? [] : [Box(p.X, p.Y)]);
            Assert.Empty(step.Ended);
            if (!hidden && k > 0) ids.Add(step.Detections[0].TrackId);
        }
        Assert.All(ids, id => Assert.Equal(1, id));
    }

    [Fact]
    public void Lost_beyond_MaxLostSeconds_ends_at_its_last_match_and_comes_back_as_a_new_id()
    {
        var options = Defaults with { MaxLostSeconds = 1.5 };
        var tracker = new ObjectTracker(options);
        TrackEnd? end = null;
        double? endedAt = null;
        var ids = new List<long?>();
        for (var k = 0; k <= 25; k++)
        {
            var t = k * 0.2;
            var hidden = t is > 1.1 and < 3.1; // last seen at 1.0, back at 3.2: 2.2 s away
            var step = tracker.Update(t, hidden ? [] : [Box(0.5, 0.5)]);
            if (step.Ended.Count > 0) { end = Assert.Single(step.Ended); endedAt = t; }
            if (!hidden) ids.Add(step.Detections[0].TrackId);
            if (hidden) Assert.Empty(tracker.Predict(t + 0.1)); // a lost track is not drawn
        }
        Assert.Equal(new TrackEnd(1, 1.0), end);
        Assert.Equal(2.6, endedAt!.Value, 6); // the first frame more than 1.5 s after 1.0
        Assert.Equal(new long?[] { null, 1, 1, 1, 1, 1, null, 2 }, ids.Take(8));
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(1.0)]
    public void Predict_between_frames_follows_constant_velocity_motion_within_1_percent(double dt)
    {
        var tracker = new ObjectTracker(Defaults);
        // Moves and grows (walking towards the camera).
        (double X, double Y, double W, double H) Truth(double t) => (0.2 + 0.08 * t, 0.6 - 0.03 * t, 0.1 + 0.01 * t, 0.25 + 0.02 * t);
        for (var k = 0; k < 3; k++)
        {
            var s = Truth(k * dt);
            tracker.Update(k * dt, [Box(s.X, s.Y, s.W, s.H), Box(0.9, 0.1, 0.05, 0.05, score: 0.55f)]);
        }
        var last = 2 * dt;
        for (var f = 0.0; f < 1; f += 0.2)
        {
            var t = last + f * dt;
            var drawn = tracker.Predict(t);
            Assert.Equal(2, drawn.Count);
            Assert.Equal(1, drawn[0].TrackId);
            Assert.Equal(0.9f, drawn[0].Score);
            Assert.Equal("person", drawn[0].Label);
            var s = Truth(t);
            var b = drawn[0].Box;
            Assert.InRange(b.X + b.W / 2 - s.X, -0.01, 0.01);
            Assert.InRange(b.Y + b.H / 2 - s.Y, -0.01, 0.01);
            Assert.InRange(b.W - s.W, -0.01, 0.01);
            Assert.InRange(b.H - s.H, -0.01, 0.01);
            Assert.Equal(Box(0.9, 0.1, 0.05, 0.05, score: 0.55f), drawn[1]); // untracked: where it was
        }
        // And far enough on, the box is clamped to the frame rather than leaving it.
        var late = tracker.Predict(last + 20)[0].Box;
        Assert.True(late.X >= 0 && late.Right <= 1.0001f && late.Y >= 0 && late.Bottom <= 1.0001f, $"{late}");
    }

    [Fact]
    public void Predict_does_not_change_the_tracker()
    {
        var tracker = new ObjectTracker(Defaults);
        for (var k = 0; k < 3; k++) tracker.Update(k * 0.2, [Box(0.2 + 0.02 * k, 0.5)]);
        var before = Json(tracker.State);
        for (var t = 0.4; t < 5; t += 0.3) tracker.Predict(t);
        Assert.Equal(before, Json(tracker.State));
    }

    [Fact]
    public void Only_detections_of_the_same_class_associate()
    {
        var tracker = new ObjectTracker(Defaults);
        var personIds = new HashSet<long?>();
        var carIds = new HashSet<long?>();
        for (var k = 1; k <= 5; k++)
        {
            var t = k * 0.2;
            // A person and a car on the same box (a person getting out of a parked car).
            var step = tracker.Update(t, [Box(0.5, 0.5), Box(0.5, 0.5, classId: 3, label: "car")]);
            personIds.Add(step.Detections[0].TrackId);
            carIds.Add(step.Detections[1].TrackId);
        }
        // Then only the car is seen where the person was: it keeps the car's id, the person is lost.
        var carOnly = tracker.Update(1.2, [Box(0.5, 0.5, classId: 3, label: "car")]);
        Assert.Equal(new long?[] { null, 1 }, personIds);
        Assert.Equal(new long?[] { null, 2 }, carIds);
        Assert.Equal(2, carOnly.Detections[0].TrackId);
        Assert.Equal("car 2: 90%", carOnly.Detections[0].Caption);
        // And a lone car where only a person was tracked never takes the person's id.
        var fresh = new ObjectTracker(Defaults);
        fresh.Update(0, [Box(0.5, 0.5)]);
        fresh.Update(0.2, [Box(0.5, 0.5)]);
        Assert.Null(fresh.Update(0.4, [Box(0.5, 0.5, classId: 3, label: "car")]).Detections[0].TrackId);
    }

    [Fact]
    public void A_tracker_rebuilt_from_its_JSON_state_continues_exactly_as_the_original()
    {
        var original = new ObjectTracker(Defaults);
        var rng = new Random(7);
        List<Detection> Frame(int k)
        {
            var t = k * 0.2;
            List<Detection> dets = [];
            for (var o = 0; o < 4; o++)
            {
                if (rng.NextDouble() < 0.1) continue; // missed now and then
                var jitter = (rng.NextDouble() - 0.5) * 0.004;
                dets.Add(Box(0.1 + 0.2 * o + 0.05 * t * (o % 2 == 0 ? 1 : -1) + jitter, 0.3 + 0.1 * o, score: (float)(0.5 + 0.5 * rng.NextDouble()), classId: o % 2 + 1));
            }
            if (k % 7 == 0) dets.Add(Box(rng.NextDouble(), rng.NextDouble(), 0.05, 0.05)); // false positives
            return dets;
        }
        var frames = Enumerable.Range(0, 40).Select(Frame).ToList();
        for (var k = 0; k < 20; k++) original.Update(k * 0.2, frames[k]);

        var json = Json(original.State);
        var state = JsonSerializer.Deserialize(json, CoreJsonContext.Default.TrackerState)!;
        var rebuilt = new ObjectTracker(Defaults, state);
        Assert.Equal(json, Json(rebuilt.State));
        Assert.Contains(state.Tracks, s => s.Id is not null);

        for (var k = 20; k < 40; k++)
        {
            var t = k * 0.2;
            var a = original.Update(t, frames[k]);
            var b = rebuilt.Update(t, frames[k]);
            Assert.Equal(a.Detections, b.Detections);
            Assert.Equal(a.Started, b.Started);
            Assert.Equal(a.Ended, b.Ended);
            Assert.Equal(original.Predict(t + 0.1), rebuilt.Predict(t + 0.1));
        }
        Assert.Equal(Json(original.State), Json(rebuilt.State));
    }

    [Fact]
    public void A_fresh_tracker_starts_its_ids_at_firstId()
    {
        var tracker = new ObjectTracker(Defaults, firstId: 7001);
        tracker.Update(0, [Box(0.5, 0.5)]);
        var step = tracker.Update(0.2, [Box(0.5, 0.5)]);
        Assert.Equal([7001L], step.Started);
        Assert.Equal(7002, tracker.State.NextId);
    }

    [Fact]
    public void Bad_input_is_refused_with_an_argument_error()
    {
        var tracker = new ObjectTracker(Defaults);
        Assert.Throws<ArgumentException>(() => tracker.Update(double.NaN, []));
        Assert.Throws<ArgumentException>(() => tracker.Predict(double.PositiveInfinity));
        tracker.Update(2, [Box(0.5, 0.5)]);
        tracker.Update(2, [Box(0.5, 0.5)]); // the same time again is allowed
        var back = Assert.Throws<ArgumentException>(() => tracker.Update(1.5, []));
        Assert.Contains("before the last analysed frame", back.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => tracker.Predict(1.9));
        Assert.Throws<ArgumentNullException>(() => tracker.Update(3, null!));
        Assert.Throws<ArgumentException>(() => tracker.Update(3, [null!]));
        Assert.Throws<ArgumentException>(() => tracker.Update(3, [new Detection("person", 1, 0.9f, new BoundingBox(float.NaN, 0, 0.1f, 0.1f))]));
        Assert.Throws<ArgumentException>(() => new ObjectTracker(Defaults with { MinIou = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ObjectTracker(Defaults, firstId: 0));
        Assert.Throws<ArgumentException>(() => new ObjectTracker(Defaults, new TrackerState(0, null, [], [])));
        Assert.Throws<ArgumentException>(() => new ObjectTracker(Defaults,
            new TrackerState(5, 1, [new TrackSnapshot(9, 1, 3, 1, true, new double[8], new double[12])], [])));
        Assert.Throws<ArgumentException>(() => new ObjectTracker(Defaults,
            new TrackerState(5, 1, [new TrackSnapshot(1, 1, 3, 1, true, new double[3], new double[12])], [])));
        // The failed calls changed nothing.
        Assert.Equal(2, tracker.State.LastT);
        Assert.Equal(1, Assert.Single(tracker.Predict(2.5)).TrackId);
    }

    private static string Json(TrackerState state) => JsonSerializer.Serialize(state, CoreJsonContext.Default.TrackerState);
}
