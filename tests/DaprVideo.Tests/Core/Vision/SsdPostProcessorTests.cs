using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Vision;

public class SsdPostProcessorTests
{
    private const int Classes = 90;

    private static (float[] Scores, float[] Boxes) Outputs(params (int Anchor, int ClassId, float Score, float[] Corners)[] entries)
    {
        var anchors = entries.Max(e => e.Anchor) + 1;
        var scores = new float[anchors * Classes];
        var boxes = new float[anchors * 4];
        foreach (var (anchor, classId, score, corners) in entries)
        {
            scores[anchor * Classes + classId - 1] = score;
            corners.CopyTo(boxes, anchor * 4);
        }
        return (scores, boxes);
    }

    [Fact]
    public void Threshold_per_class_nms_and_labels_are_applied()
    {
        var (scores, boxes) = Outputs(
            (0, 1, 0.9f, [0.1f, 0.1f, 0.5f, 0.5f]),   // person
            (1, 1, 0.8f, [0.11f, 0.1f, 0.5f, 0.5f]),  // same person, suppressed
            (2, 17, 0.85f, [0.1f, 0.1f, 0.5f, 0.5f]), // a cat on the same spot: other class, kept
            (3, 47, 0.4f, [0.6f, 0.6f, 0.9f, 0.9f])); // cup under threshold

        var detections = new SsdPostProcessor(new PostProcessingOptions()).Process(scores, boxes, Classes);

        Assert.Equal(["person", "cat"], detections.Select(d => d.Label));
        Assert.Equal(0.9f, detections[0].Score);
        Assert.Equal(new BoundingBox(0.1f, 0.1f, 0.4f, 0.4f), detections[0].Box);
        Assert.Equal(17, detections[1].ClassId);
    }

    [Fact]
    public void At_most_max_detections_best_first()
    {
        var entries = Enumerable.Range(0, 20)
            .Select(i => (i, 1, 0.5f + i / 100f, new[] { i * 0.05f, 0f, i * 0.05f + 0.04f, 0.04f }))
            .ToArray();
        var (scores, boxes) = Outputs(entries);

        var detections = new SsdPostProcessor(new PostProcessingOptions { MaxDetections = 5 }).Process(scores, boxes, Classes);

        Assert.Equal(5, detections.Count);
        Assert.Equal(0.69f, detections[0].Score, 5);
        Assert.True(detections.Zip(detections.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public void Nothing_over_threshold_gives_an_empty_list()
    {
        var (scores, boxes) = Outputs((5, 3, 0.2f, [0f, 0f, 1f, 1f]));
        Assert.Empty(new SsdPostProcessor(new PostProcessingOptions()).Process(scores, boxes, Classes));
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Bad_threshold_is_rejected(float threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostProcessingOptions { ScoreThreshold = threshold }.Validate());
}
