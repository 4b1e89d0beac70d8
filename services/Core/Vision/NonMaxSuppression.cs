namespace DaprVideo.Core.Vision;

/// <summary>
/// Greedy non-maximum suppression as the TF Object Detection API's SSD post-processor runs it:
/// per class, highest score first, a box is dropped when its IoU with a kept box exceeds the threshold.
/// </summary>
public static class NonMaxSuppression
{
    /// <summary>
    /// Keeps a subset of <paramref name="candidates"/> (sorted in place by descending score) and
    /// returns how many were kept; the kept ones are moved to the front, still in score order.
    /// </summary>
    public static int Apply(Span<ScoredBox> candidates, float iouThreshold, int maxKeep)
    {
        candidates.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        var kept = 0;
        for (var i = 0; i < candidates.Length && kept < maxKeep; i++)
        {
            var candidate = candidates[i];
            var suppressed = false;
            for (var k = 0; k < kept; k++)
            {
                if (candidates[k].Box.IntersectionOverUnion(candidate.Box) > iouThreshold)
                {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) candidates[kept++] = candidate;
        }
        return kept;
    }
}
