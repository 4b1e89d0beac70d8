using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Vision;

public class NonMaxSuppressionTests
{
    private static ScoredBox Box(float x, float y, float w, float h, float score, int classId = 1) =>
        new(new BoundingBox(x, y, w, h), score, classId);

    [Fact]
    public void Overlapping_lower_score_box_is_suppressed_and_the_best_kept()
    {
        ScoredBox[] boxes = [Box(0.1f, 0.1f, 0.4f, 0.4f, 0.7f), Box(0.12f, 0.1f, 0.4f, 0.4f, 0.9f), Box(0.6f, 0.6f, 0.2f, 0.2f, 0.5f)];

        var kept = NonMaxSuppression.Apply(boxes, 0.6f, 100);

        Assert.Equal(2, kept);
        Assert.Equal(0.9f, boxes[0].Score);
        Assert.Equal(0.5f, boxes[1].Score);
    }

    [Fact]
    public void Overlap_at_or_below_threshold_keeps_both()
    {
        // Two 0.2 x 0.2 boxes shifted by half a width: IoU = 0.02 / 0.06 = 1/3.
        ScoredBox[] boxes = [Box(0f, 0f, 0.2f, 0.2f, 0.9f), Box(0.1f, 0f, 0.2f, 0.2f, 0.8f)];

        Assert.Equal(2, NonMaxSuppression.Apply(boxes, 0.3334f, 100));
        Assert.Equal(1, NonMaxSuppression.Apply(boxes, 0.3f, 100));
    }

    [Fact]
    public void Keeps_at_most_the_limit()
    {
        var boxes = Enumerable.Range(0, 10).Select(i => Box(i * 0.1f, 0, 0.05f, 0.05f, i / 10f)).ToArray();

        Assert.Equal(3, NonMaxSuppression.Apply(boxes, 0.6f, 3));
        Assert.Equal([0.9f, 0.8f, 0.7f], boxes.Take(3).Select(b => b.Score));
    }

    [Fact]
    public void Iou_of_identical_boxes_is_one_and_of_disjoint_boxes_zero()
    {
        var a = new BoundingBox(0.2f, 0.2f, 0.3f, 0.3f);
        Assert.Equal(1f, a.IntersectionOverUnion(a), 5);
        Assert.Equal(0f, a.IntersectionOverUnion(new BoundingBox(0.6f, 0.6f, 0.1f, 0.1f)));
        Assert.Equal(0.25f, a.IntersectionOverUnion(new BoundingBox(0.2f, 0.2f, 0.15f, 0.15f)), 5);
    }
}
