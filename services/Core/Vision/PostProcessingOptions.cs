namespace DaprVideo.Core.Vision;

/// <summary>SSD post-processing settings; defaults follow the TF Object Detection API's SSD config.</summary>
public sealed record PostProcessingOptions
{
    /// <summary>Detections scoring below this are dropped (SCORE_THRESHOLD).</summary>
    public float ScoreThreshold { get; init; } = 0.5f;

    /// <summary>Same-class boxes overlapping a better one by more than this IoU are suppressed.</summary>
    public float IouThreshold { get; init; } = 0.6f;

    /// <summary>At most this many detections per frame (and per class).</summary>
    public int MaxDetections { get; init; } = 100;

    public void Validate()
    {
        if (!(ScoreThreshold is >= 0f and <= 1f))
            throw new ArgumentOutOfRangeException(nameof(ScoreThreshold), ScoreThreshold, "Score threshold must be between 0 and 1.");
        if (!(IouThreshold is > 0f and <= 1f))
            throw new ArgumentOutOfRangeException(nameof(IouThreshold), IouThreshold, "IoU threshold must be in (0, 1].");
        if (MaxDetections is < 1 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(MaxDetections), MaxDetections, "Max detections must be 1..1000.");
    }
}
