namespace DaprVideo.Core.Pipeline;

/// <summary>How Inference analyses and re-encodes a chunk.</summary>
public sealed record InferenceOptions
{
    /// <summary>Frames analysed per second of video (DETECT_FPS); boxes hold on the frames between.</summary>
    public double DetectFps { get; init; } = 5;

    /// <summary>
    /// The floor of the analysis rate under overload (DETECT_FPS_MIN): live video stays real time by analysing fewer
    /// frames, down to this, before new streams are refused. At or above <see cref="DetectFps"/> the rate never drops.
    /// </summary>
    public double DetectFpsMin { get; init; } = 1;

    /// <summary>The <see cref="AnalysisRateController"/>'s options for these rates.</summary>
    public AnalysisRateOptions AnalysisRate => new() { MaxFps = DetectFps, MinFps = DetectFpsMin };

    /// <summary>
    /// Detections allowed in flight for one chunk before further frames skip analysis, so a slow
    /// detector means fewer analysed frames, never dropped or late video.
    /// </summary>
    public int MaxPendingDetections { get; init; } = 16;

    /// <summary>Decoded frames buffered between decoding and drawing+encoding (backpressure bound).</summary>
    public int FrameQueueCapacity { get; init; } = 12;

    /// <summary>
    /// The same bound in bytes, per chunk in flight, so large frames queue fewer: 32 MiB holds 24 frames of
    /// 720p I420, 10 of 1080p, 2 of 4K (never fewer than 2).
    /// </summary>
    public long FrameQueueBytes { get; init; } = 32L << 20;

    /// <summary>The x264 preset annotated segments are encoded with (ENCODE_PRESET); the encoder validates it.</summary>
    public string EncodePreset { get; init; } = "superfast";

    /// <summary>Keep raw chunks after their segment is stored (DEBUG).</summary>
    public bool KeepChunks { get; init; }

    public void Validate()
    {
        if (!double.IsFinite(DetectFps) || DetectFps <= 0 || DetectFps > 120)
            throw new ArgumentException($"{nameof(DetectFps)} must be a number in (0, 120], not {DetectFps}.");
        if (!double.IsFinite(DetectFpsMin) || DetectFpsMin <= 0 || DetectFpsMin > 120)
            throw new ArgumentException($"{nameof(DetectFpsMin)} must be a number in (0, 120], not {DetectFpsMin}.");
        if (MaxPendingDetections is < 1 or > 1024)
            throw new ArgumentException($"MaxPendingDetections must be 1..1024, not {MaxPendingDetections}.");
        if (FrameQueueCapacity is < 1 or > 1024)
            throw new ArgumentException($"FrameQueueCapacity must be 1..1024, not {FrameQueueCapacity}.");
        if (FrameQueueBytes is < 1 << 20 or > 1L << 34)
            throw new ArgumentException($"FrameQueueBytes must be 1 MiB..16 GiB, not {FrameQueueBytes}.");
    }
}
