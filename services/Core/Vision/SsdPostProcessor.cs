using System.Buffers;

namespace DaprVideo.Core.Vision;

/// <summary>
/// Turns one frame's raw SSD outputs (per-anchor class scores and decoded corner boxes) into
/// detections: score threshold, per-class NMS, then the best <see cref="PostProcessingOptions.MaxDetections"/>.
/// </summary>
public sealed class SsdPostProcessor(PostProcessingOptions options)
{
    public PostProcessingOptions Options { get; } = options;

    /// <param name="scores">[anchors, classes] row-major; column j is class id j + 1.</param>
    /// <param name="boxes">[anchors, 4] as (ymin, xmin, ymax, xmax).</param>
    public List<Detection> Process(ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes, int classCount)
    {
        var anchors = boxes.Length / 4;
        if (scores.Length != anchors * classCount)
            throw new ArgumentException($"Scores hold {scores.Length} values; expected {anchors} anchors x {classCount} classes.");

        var threshold = Options.ScoreThreshold;
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
            if (scores[i] >= threshold) count++;
        if (count == 0) return [];

        var candidates = ArrayPool<ScoredBox>.Shared.Rent(count);
        try
        {
            var n = 0;
            for (var a = 0; a < anchors; a++)
            {
                var row = scores.Slice(a * classCount, classCount);
                for (var c = 0; c < classCount; c++)
                {
                    if (row[c] < threshold) continue;
                    var b = boxes.Slice(a * 4, 4);
                    candidates[n++] = new ScoredBox(BoundingBox.FromCorners(b[0], b[1], b[2], b[3]), row[c], c + 1);
                }
            }
            return SuppressPerClass(candidates.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<ScoredBox>.Shared.Return(candidates);
        }
    }

    private List<Detection> SuppressPerClass(Span<ScoredBox> candidates)
    {
        // Group by class so each class's suppression runs over a contiguous slice.
        candidates.Sort(static (a, b) => a.ClassId != b.ClassId ? a.ClassId.CompareTo(b.ClassId) : b.Score.CompareTo(a.Score));
        var kept = new List<ScoredBox>();
        for (var start = 0; start < candidates.Length;)
        {
            var end = start;
            while (end < candidates.Length && candidates[end].ClassId == candidates[start].ClassId) end++;
            var slice = candidates[start..end];
            var keep = NonMaxSuppression.Apply(slice, Options.IouThreshold, Options.MaxDetections);
            for (var i = 0; i < keep; i++) kept.Add(slice[i]);
            start = end;
        }

        kept.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        var result = new List<Detection>(Math.Min(kept.Count, Options.MaxDetections));
        foreach (var k in kept)
        {
            if (result.Count == Options.MaxDetections) break;
            // A gap id (no COCO name) cannot score for a trained model, but never emit a nameless label.
            if (CocoLabels.NameOf(k.ClassId) is { } label)
                result.Add(new Detection(label, k.ClassId, k.Score, k.Box));
        }
        return result;
    }
}
