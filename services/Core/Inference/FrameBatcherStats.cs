namespace DaprVideo.Core.Inference;

/// <summary>A snapshot of what <see cref="FrameBatcher"/> achieved so far.</summary>
/// <param name="Batches">Calls made to the inner detector.</param>
/// <param name="Frames">Frames sent in those calls.</param>
/// <param name="FailedBatches">Calls that threw.</param>
/// <param name="BatchSizeCounts">How many batches had each size (index = size; index 0 unused).</param>
public sealed record FrameBatcherStats(long Batches, long Frames, long FailedBatches, IReadOnlyList<long> BatchSizeCounts)
{
    public double MeanBatchSize => Batches == 0 ? 0 : (double)Frames / Batches;

    public int LargestBatch
    {
        get
        {
            for (var size = BatchSizeCounts.Count - 1; size > 0; size--)
                if (BatchSizeCounts[size] > 0) return size;
            return 0;
        }
    }
}
