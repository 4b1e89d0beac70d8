namespace DaprVideo.Media.Codec;

/// <summary>How annotated segments are encoded; validated when the encoder is created.</summary>
public sealed record SegmentEncoderOptions
{
    public string Preset { get; init; } = X264Presets.Default;

    /// <summary>x264 constant rate factor, 0 (lossless) .. 51; 23 is x264's default.</summary>
    public int Crf { get; init; } = 23;

    /// <summary>
    /// Longest GOP inside a segment. Every segment starts with an IDR anyway (one encoder run per
    /// segment); this adds keyframes within long segments for seeking. Longer than the default
    /// 3 s segment, so a segment carries one IDR (measured: overhead ratio 1.35 -> 1.28).
    /// </summary>
    public double KeyframeIntervalSeconds { get; init; } = 6;

    /// <summary>
    /// x264 threads per encode when the encoder has no <see cref="EncoderThreadBudget"/>; 0 lets x264
    /// choose (1.5 x cores plus lookahead).
    /// </summary>
    public int Threads { get; init; }

    public void Validate()
    {
        X264Presets.Validate(Preset, "Encoder preset");
        if (Crf is < 0 or > 51) throw new ArgumentException($"Encoder CRF {Crf} is outside 0..51.");
        if (!double.IsFinite(KeyframeIntervalSeconds) || KeyframeIntervalSeconds < 0.1 || KeyframeIntervalSeconds > 60)
            throw new ArgumentException($"Keyframe interval {KeyframeIntervalSeconds} s is outside 0.1..60.");
        if (Threads is < 0 or > 64) throw new ArgumentException($"Encoder threads {Threads} is outside 0..64.");
    }
}
