namespace DaprVideo.Core.Inference;

/// <summary>How <see cref="FrameBatcher"/> gathers frames (BATCH_SIZE, BATCH_TIMEOUT_MS).</summary>
public sealed record FrameBatcherOptions
{
    /// <summary>Most frames sent in one call to the inner detector.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>How long the first frame of a batch waits for company before the batch goes out.</summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Frames waiting to be batched; callers wait (backpressure) when it is full.</summary>
    public int QueueCapacity { get; init; } = 64;

    /// <summary>Batches in flight at once; more than one overlaps network and model time.</summary>
    public int MaxConcurrentBatches { get; init; } = 1;

    public void Validate()
    {
        if (BatchSize is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch size must be 1..1024.");
        if (BatchTimeout < TimeSpan.Zero || BatchTimeout > TimeSpan.FromMinutes(1))
            throw new ArgumentOutOfRangeException(nameof(BatchTimeout), BatchTimeout, "Batch timeout must be 0..60 s.");
        if (QueueCapacity < BatchSize)
            throw new ArgumentOutOfRangeException(nameof(QueueCapacity), QueueCapacity, "Queue capacity must hold at least one batch.");
        if (MaxConcurrentBatches is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentBatches), MaxConcurrentBatches, "Concurrent batches must be 1..64.");
    }
}
