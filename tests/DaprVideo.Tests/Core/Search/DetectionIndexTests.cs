using DaprVideo.Core.Playlist;
using DaprVideo.Core.Search;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Search;

public class DetectionIndexTests
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static Detection Found(string label, float score) => new(label, label == "person" ? 1 : 17, score, new BoundingBox(0.1f, 0.1f, 0.2f, 0.2f));

    private static SegmentRecord Record(long sequence, params AnalysedFrame[] frames) =>
        new("cam", sequence, T0.AddSeconds(3 * sequence), 3.0, false, true, frames);

    private static DetectionIndex Build(params SegmentRecord[] records)
    {
        var index = new DetectionIndex(StreamId.Parse("cam"));
        foreach (var record in records)
            index.Add(record);
        return index;
    }

    private static readonly SegmentRecord[] Records =
    [
        Record(0, new(0.0, [Found("person", 0.9f)]), new(1.0, []), new(2.0, [Found("cat", 0.6f), Found("person", 0.7f)])),
        Record(1, new(3.0, []), new(4.0, [])),
        Record(2, new(6.0, [Found("cat", 0.8f)]), new(7.0, [Found("cat", 0.5f)])),
    ];

    [Fact]
    public void Keeps_only_frames_with_detections_in_time_order()
    {
        var index = Build(Records[2], Records[0], Records[1]);

        var hits = index.Query();

        Assert.Equal([(0L, 0.0), (0L, 2.0), (2L, 6.0), (2L, 7.0)], hits.Select(h => (h.Sequence, h.T)));
        Assert.Equal(3, index.SegmentCount);
    }

    [Fact]
    public void Filters_by_label_case_insensitively_and_keeps_only_that_label()
    {
        var index = Build(Records);

        var cats = index.Query(label: "CAT");

        Assert.Equal([2.0, 6.0, 7.0], cats.Select(h => h.T));
        Assert.All(cats, h => Assert.All(h.Detections, d => Assert.Equal("cat", d.Label)));
        Assert.Empty(index.Query(label: "dog"));
    }

    [Fact]
    public void Filters_by_time_range_inclusively_and_honours_the_limit()
    {
        var index = Build(Records);

        Assert.Equal([2.0, 6.0], index.Query(fromSeconds: 2.0, toSeconds: 6.0).Select(h => h.T));
        Assert.Equal([6.0, 7.0], index.Query(fromSeconds: 5).Select(h => h.T));
        Assert.Equal([0.0, 2.0], index.Query(limit: 2).Select(h => h.T));
        Assert.Throws<ArgumentException>(() => index.Query(fromSeconds: 5, toSeconds: 1));
    }

    [Fact]
    public void Adding_a_sequence_twice_changes_nothing()
    {
        var index = Build(Records);

        Assert.False(index.Add(Records[0] with { Frames = [new(0.5, [Found("dog", 0.99f)])] }));

        Assert.Equal(4, index.Query().Count);
        Assert.DoesNotContain("dog", index.Labels());
    }

    [Fact]
    public void Timeline_summarises_labels_per_segment()
    {
        var index = Build(Records);

        var timeline = index.Timeline();

        Assert.Equal([0L, 1L, 2L], timeline.Select(s => s.Sequence));
        Assert.Equal([new LabelSummary("cat", 1, 0.6f), new LabelSummary("person", 2, 0.9f)], timeline[0].Labels);
        Assert.Empty(timeline[1].Labels);
        Assert.Equal([new LabelSummary("cat", 2, 0.8f)], timeline[2].Labels);
        Assert.Equal(T0.AddSeconds(6), timeline[2].Start);
        Assert.Equal(["cat", "person"], index.Labels());
    }

    [Fact]
    public void Refuses_a_record_of_another_stream()
    {
        var index = Build();

        var error = Assert.Throws<ArgumentException>(() => index.Add(Records[0] with { StreamId = "other" }));

        Assert.Contains("'other'", error.Message, StringComparison.Ordinal);
    }
}
