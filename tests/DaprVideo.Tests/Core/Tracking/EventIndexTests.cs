using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;
using static DaprVideo.Tests.TestSupport.StoredEvents;

namespace DaprVideo.Tests.Core.Tracking;

public class EventIndexTests
{
    private static readonly StreamId Cam = StreamId.Parse("cam");

    [Fact]
    public void Versions_applied_in_any_order_any_number_of_times_leave_the_newest()
    {
        var started = Make("cam", 1, endSeconds: null, score: 0.5f, lastSequence: 0, updatedAt: T0.AddSeconds(1));
        var updated = Make("cam", 1, endSeconds: null, score: 0.7f, zones: ["door"], lastSequence: 1, updatedAt: T0.AddSeconds(2));
        var ended = Make("cam", 1, endSeconds: 5, score: 0.7f, zones: ["door"], lastSequence: 2, updatedAt: T0.AddSeconds(5));
        TrackEvent[] versions = [started, updated, ended];
        foreach (var order in Permutations(versions))
        {
            var index = new EventIndex();
            foreach (var e in order.Concat(order)) index.Apply(e);
            Assert.True(index.TryGet(new EventId(Cam, 1), out var held));
            Assert.Same(ended, held);
        }
    }

    [Fact]
    public void An_update_after_the_end_never_reopens_the_event()
    {
        var index = new EventIndex();
        var ended = Make("cam", 3, endSeconds: 4, updatedAt: T0.AddSeconds(4));
        Assert.True(index.Apply(ended));
        // Even one stamped later (a redelivered or skewed update) loses to the end.
        Assert.False(index.Apply(Make("cam", 3, endSeconds: null, score: 0.99f, updatedAt: T0.AddSeconds(9))));
        Assert.True(index.TryGet(new EventId(Cam, 3), out var held));
        Assert.False(held.InProgress);
        Assert.Equal(0.8f, held.MaxScore);
        Assert.False(index.Apply(ended));
    }

    [Fact]
    public void Equal_timestamps_are_decided_by_content_not_arrival()
    {
        var a = Make("cam", 1, endSeconds: null, lastSequence: 3, updatedAt: T0);
        var b = Make("cam", 1, endSeconds: null, lastSequence: 4, updatedAt: T0);
        var first = new EventIndex();
        first.Apply(a);
        first.Apply(b);
        var second = new EventIndex();
        second.Apply(b);
        second.Apply(a);
        first.TryGet(new EventId(Cam, 1), out var x);
        second.TryGet(new EventId(Cam, 1), out var y);
        Assert.Equal(4, x.LastSequence);
        Assert.Equal(4, y.LastSequence);
    }

    [Fact]
    public void Filters_by_label_zone_time_overlap_and_score()
    {
        var index = new EventIndex();
        index.Apply(Make("cam", 1, "person", startSeconds: 0, endSeconds: 10, score: 0.9f, zones: ["door"]));
        index.Apply(Make("cam", 2, "car", startSeconds: 20, endSeconds: 30, score: 0.6f, zones: ["drive", "door"]));
        index.Apply(Make("cam", 3, "person", startSeconds: 40, endSeconds: null, score: 0.5f));
        index.Apply(Make("yard", 1, "person", startSeconds: 0, endSeconds: 5));

        long[] Ids(EventQuery q) => [.. index.Query(Cam, q).Select(e => e.TrackId)];
        Assert.Equal([3L, 2, 1], Ids(EventQuery.All));
        Assert.Equal([3L, 1], Ids(new EventQuery(Label: "PERSON")));
        Assert.Equal([2L, 1], Ids(new EventQuery(Zone: "door")));
        Assert.Equal([2L], Ids(new EventQuery(Zone: "drive")));
        Assert.Empty(Ids(new EventQuery(Zone: "Door")));
        // Overlap: [5, 25] touches 1 (0..10) and 2 (20..30); from 35 only the one in progress (it reaches to now).
        Assert.Equal([2L, 1], Ids(new EventQuery(From: T0.AddSeconds(5), To: T0.AddSeconds(25))));
        Assert.Equal([3L], Ids(new EventQuery(From: T0.AddSeconds(35))));
        Assert.Equal([1L], Ids(new EventQuery(To: T0.AddSeconds(10))));
        Assert.Equal([2L, 1], Ids(new EventQuery(MinScore: 0.6f)));
        Assert.Equal([1L], Ids(new EventQuery(Label: "person", MinScore: 0.6f, Zone: "door")));
    }

    [Fact]
    public void Pages_walk_every_event_once_newest_first_and_stay_stable_while_events_arrive()
    {
        var index = new EventIndex();
        // Two streams, and ties on start decided by id.
        for (var i = 1; i <= 7; i++) index.Apply(Make("cam", i, startSeconds: i / 2 * 10));
        for (var i = 1; i <= 3; i++) index.Apply(Make("yard", i, startSeconds: i * 10 + 5));
        var expected = index.Page(EventQuery.All, EventIndex.MaxPageSize).Events.Select(e => e.Id).ToList();
        Assert.Equal(10, expected.Count);
        Assert.Equal("yard.3", expected[0]);
        Assert.True(expected.SequenceEqual(expected.OrderByDescending(id => Find(index, id).Start.UtcTicks).ThenByDescending(id => id, StringComparer.Ordinal)));

        var walked = new List<string>();
        EventCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = index.Page(EventQuery.All, 3, cursor);
            walked.AddRange(page.Events.Select(e => e.Id));
            cursor = page.Next;
            if (cursor is { } next)
            {
                Assert.True(EventCursor.TryDecode(next.Encode(), out var decoded));
                Assert.Equal(next, decoded);
            }
            if (pages++ == 0)
            {
                // A new event (newer than everything) and an update of one already listed do not shift later pages.
                index.Apply(Make("cam", 99, startSeconds: 1000));
                index.Apply(Make("yard", 3, startSeconds: 35, updatedAt: T0.AddHours(1), score: 0.95f));
            }
        }
        while (cursor is not null);
        Assert.Equal(expected, walked);
        Assert.Equal(4, pages);
    }

    [Fact]
    public void Cursors_round_trip_and_garbage_is_refused()
    {
        var cursor = new EventCursor(T0.AddTicks(7), "door-cam.12");
        Assert.True(EventCursor.TryDecode(cursor.Encode(), out var back));
        Assert.Equal(cursor, back);
        foreach (var bad in new[] { "", "abc", "!!!!", new EventCursor(T0, "x.1").Encode()[..4], Convert.ToBase64String("12:NOT A ID"u8.ToArray()).TrimEnd('=') })
            Assert.False(EventCursor.TryDecode(bad, out _), bad);
    }

    [Fact]
    public void Retention_removes_events_wholly_in_cut_segments_and_keeps_late_versions_out()
    {
        var index = new EventIndex();
        index.Apply(Make("cam", 1, firstSequence: 0, lastSequence: 2));
        index.Apply(Make("cam", 2, firstSequence: 2, lastSequence: 5));
        index.Apply(Make("yard", 1, firstSequence: 0, lastSequence: 1));
        Assert.Equal(["cam.1"], index.ForgetThrough(Cam, 2).Select(e => e.Id));
        Assert.Equal([2L], index.Query(Cam, EventQuery.All).Select(e => e.TrackId));
        Assert.Single(index.Query(StreamId.Parse("yard"), EventQuery.All));
        Assert.False(index.Apply(Make("cam", 1, firstSequence: 0, lastSequence: 2, updatedAt: T0.AddDays(1))));
        Assert.Empty(index.ForgetThrough(Cam, 1));

        Assert.True(index.Forget(Cam));
        Assert.Empty(index.Query(Cam, EventQuery.All));
        Assert.False(index.Knows(Cam));
        // A stream created again under the id starts afresh (no cut of the old one holds).
        Assert.True(index.Apply(Make("cam", 1, firstSequence: 0, lastSequence: 0)));
    }

    [Fact]
    public void A_record_whose_id_does_not_match_its_stream_is_refused()
    {
        var index = new EventIndex();
        Assert.Throws<ArgumentException>(() => index.Apply(Make("cam", 1) with { Stream = "yard" }));
        Assert.Throws<ArgumentException>(() => index.Apply(Make("cam", 1) with { Id = "cam.2" }));
    }

    private static TrackEvent Find(EventIndex index, string id)
    {
        Assert.True(EventId.TryParse(id, out var parsed));
        Assert.True(index.TryGet(parsed, out var e));
        return e;
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items) =>
        items.Length <= 1 ? [items] : items.SelectMany((item, i) => Permutations([.. items.Take(i), .. items.Skip(i + 1)]).Select(rest => (T[])[item, .. rest]));
}
