using DaprVideo.Core.Events;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;
using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Tracking;

public sealed class TrackEventLogTests
{
    private static readonly StreamId Cam = StreamId.Parse("cam");
    private static readonly DateTimeOffset ChunkStart = new(2026, 12, 1, 14, 2, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = ChunkStart.AddMinutes(1);
    private static readonly Zone Door = new("door", [[0.0, 0.5], [0.5, 0.5], [0.5, 1.0], [0.0, 1.0]]);

    private static Detection Person(long? id, float score, float x, float y = 0.3f) => new("person", 1, score, new BoundingBox(x, y, 0.1f, 0.3f), id);

    private static TrackEventLog Log(long sequence = 4, double offset = 12, IEnumerable<OpenEvent>? open = null) =>
        new(Cam, sequence, ChunkStart, offset, [Door], open ?? [], Now);

    [Fact]
    public void A_confirmed_track_opens_an_event_that_follows_score_segments_and_zones()
    {
        var log = Log();
        log.Observe(12.2, new TrackerStep([Person(7, 0.6f, 0.6f)], [7], []));
        var best = log.Observe(12.4, new TrackerStep([Person(7, 0.9f, 0.3f)], [], []));
        log.Observe(12.6, new TrackerStep([Person(7, 0.7f, 0.2f), Person(null, 0.8f, 0.9f)], [], []));

        Assert.Equal([(7L, new BoundingBox(0.3f, 0.3f, 0.1f, 0.3f))], best);
        var open = Assert.Single(log.Open).Event;
        Assert.Equal("cam.7", open.Id);
        Assert.Equal("person", open.Label);
        Assert.Equal(ChunkStart.AddSeconds(0.2), open.Start);
        Assert.Equal(12.2, open.StartSeconds);
        Assert.Null(open.End);
        Assert.Equal(0.9f, open.MaxScore);
        Assert.Equal(12.4, open.BestSeconds);
        // Bottom centre (0.35, 0.6) is in the door zone from the second sighting on.
        Assert.Equal(["door"], open.Zones);
        Assert.Equal(ObjectKeys.EventSnapshot(Cam, 7), open.SnapshotKey);
        var (e, change) = Assert.Single(log.Changes());
        Assert.Equal(TrackEventChanged.Started, change);
        Assert.Same(open, e);
    }

    [Fact]
    public void An_event_from_the_previous_chunk_goes_on_and_ends_at_its_last_sighting()
    {
        var first = Log(sequence: 3, offset: 9);
        first.Observe(11.8, new TrackerStep([Person(2, 0.8f, 0.7f)], [2], []));
        var handed = first.Open;

        var log = Log(sequence: 4, offset: 12, open: handed);
        log.Observe(12.2, new TrackerStep([Person(2, 0.7f, 0.7f)], [], []));
        log.Observe(14.0, new TrackerStep([], [], [new TrackEnd(2, 12.2)]));

        Assert.Empty(log.Open);
        var (e, change) = Assert.Single(log.Changes());
        Assert.Equal(TrackEventChanged.Ended, change);
        Assert.Equal(ChunkStart.AddSeconds(0.2), e.End);
        Assert.Equal(12.2, e.EndSeconds);
        Assert.Equal(3, e.FirstSequence);
        Assert.Equal(4, e.LastSequence);
        // The start is the first chunk's: wall clock 11.8 s on that chunk's timeline.
        Assert.Equal(ChunkStart.AddMilliseconds(2800), e.Start);
        Assert.Equal(0.8f, e.MaxScore);
    }

    [Fact]
    public void Changes_name_each_event_once_started_then_ended_and_updated_only_when_seen_and_going_on()
    {
        var earlier = Log(sequence: 3, offset: 9);
        earlier.Observe(11.0, new TrackerStep([Person(1, 0.8f, 0.1f), Person(2, 0.8f, 0.6f)], [1, 2], []));
        var log = Log(open: earlier.Open);
        log.Observe(12.0, new TrackerStep([Person(1, 0.8f, 0.1f), Person(3, 0.9f, 0.8f)], [3], []));
        log.Observe(13.0, new TrackerStep([], [], [new TrackEnd(3, 12.0)]));

        var changes = log.Changes().Select(c => (c.Event.TrackId, c.Change)).ToList();
        // 1 seen and going on: updated; 2 not seen here: nothing; 3 began and ended here: both, in order.
        Assert.Equal([(1L, TrackEventChanged.Updated), (3L, TrackEventChanged.Started), (3L, TrackEventChanged.Ended)], changes);
    }

    [Fact]
    public void CloseAll_ends_every_open_event_where_it_was_last_seen()
    {
        var log = Log();
        log.Observe(12.5, new TrackerStep([Person(5, 0.8f, 0.1f)], [5], []));
        log.Observe(13.0, new TrackerStep([], [], []));
        log.CloseAll();

        Assert.Empty(log.Open);
        var ended = log.Changes().Single(c => c.Change == TrackEventChanged.Ended).Event;
        Assert.Equal(12.5, ended.EndSeconds);
        Assert.Equal(ChunkStart.AddSeconds(0.5), ended.End);
    }

    [Fact]
    public void Detections_without_an_open_event_are_ignored()
    {
        var log = Log();
        log.Observe(12.0, new TrackerStep([Person(null, 0.9f, 0.1f), Person(9, 0.9f, 0.1f)], [], [new TrackEnd(9, 11.0)]));
        Assert.Empty(log.Open);
        Assert.Empty(log.Changes());
    }
}
