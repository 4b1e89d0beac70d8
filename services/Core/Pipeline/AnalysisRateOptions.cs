namespace DaprVideo.Core.Pipeline;

/// <summary>
/// How <see cref="AnalysisRateController"/> trades analysed frames for keeping video real time. Lags are measured in
/// chunk durations (a chunk is the unit of work, so "one chunk behind" means the same on 1 s and 6 s segments), with a
/// floor in seconds so short segments are not held to a bound the per-chunk overhead alone exceeds.
/// </summary>
public sealed record AnalysisRateOptions
{
    /// <summary>The rate asked for (DETECT_FPS): what every chunk is analysed at while the machine keeps up.</summary>
    public double MaxFps { get; init; } = 5;

    /// <summary>The floor (DETECT_FPS_MIN, at most <see cref="MaxFps"/>; equal turns the control off).</summary>
    public double MinFps { get; init; } = 1;

    /// <summary>Multiplicative decrease: a lagging pipeline's rate is multiplied by this (never below the floor).</summary>
    public double DecreaseFactor { get; init; } = 0.7;

    /// <summary>Additive increase: a recovered pipeline's rate grows by this share of <see cref="MaxFps"/> per step.</summary>
    public double IncreaseShare { get; init; } = 0.1;

    /// <summary>Below this lag (chunk durations) the pipeline is caught up and may recover.</summary>
    public double LowLagChunks { get; init; } = 1;

    /// <summary>Above this lag (chunk durations) the pipeline is behind and the rate drops.</summary>
    public double HighLagChunks { get; init; } = 2;

    /// <summary>Lower bounds of the two lags in seconds (process start-up and storing cost the same on any chunk).</summary>
    public double MinLowLagSeconds { get; init; } = 1;

    public double MinHighLagSeconds { get; init; } = 2;

    /// <summary>
    /// How long (chunk durations) the lag must stay low before the rate climbs, and how long the rate must sit at the
    /// floor with the lag high before new streams are refused: the hysteresis that keeps the rate from flapping.
    /// </summary>
    public double HoldChunks { get; init; } = 4;

    /// <summary>
    /// A lag shrinking at least this fast (seconds of lag per second; 0: not growing) counts as catching up: the rate
    /// holds instead of dropping further while a backlog drains. At 0 the rate drops only while the lag still grows, so
    /// it settles near what the machine can do instead of undershooting to drain a backlog fast; a backlog beyond
    /// twice the high bound drains anyway, its chunks being analysed at the floor.
    /// </summary>
    public double DrainRate { get; init; }

    /// <summary>Weight of the newest chunk in the smoothed lag and lag growth (exponential moving average).</summary>
    public double Smoothing { get; init; } = 0.3;

    /// <summary>The effective floor: <see cref="MinFps"/>, but never above <see cref="MaxFps"/>.</summary>
    public double FloorFps => Math.Min(MinFps, MaxFps);

    public void Validate()
    {
        if (!double.IsFinite(MaxFps) || MaxFps <= 0 || MaxFps > 120)
            throw new ArgumentException($"{nameof(MaxFps)} must be a number in (0, 120], not {MaxFps}.");
        if (!double.IsFinite(MinFps) || MinFps <= 0 || MinFps > 120)
            throw new ArgumentException($"{nameof(MinFps)} must be a number in (0, 120], not {MinFps}.");
        if (!double.IsFinite(DecreaseFactor) || DecreaseFactor is <= 0 or >= 1)
            throw new ArgumentException($"{nameof(DecreaseFactor)} must be in (0, 1), not {DecreaseFactor}.");
        if (!double.IsFinite(IncreaseShare) || IncreaseShare is <= 0 or > 1)
            throw new ArgumentException($"{nameof(IncreaseShare)} must be in (0, 1], not {IncreaseShare}.");
        if (!double.IsFinite(LowLagChunks) || !double.IsFinite(HighLagChunks) || LowLagChunks <= 0 || HighLagChunks <= LowLagChunks)
            throw new ArgumentException($"Lags must satisfy 0 < {nameof(LowLagChunks)} < {nameof(HighLagChunks)}, not {LowLagChunks} and {HighLagChunks}.");
        if (!double.IsFinite(MinLowLagSeconds) || !double.IsFinite(MinHighLagSeconds) || MinLowLagSeconds < 0 || MinHighLagSeconds < MinLowLagSeconds)
            throw new ArgumentException($"Lag floors must satisfy 0 <= {nameof(MinLowLagSeconds)} <= {nameof(MinHighLagSeconds)}.");
        if (!double.IsFinite(HoldChunks) || HoldChunks <= 0)
            throw new ArgumentException($"{nameof(HoldChunks)} must be positive, not {HoldChunks}.");
        if (!double.IsFinite(DrainRate) || DrainRate < 0)
            throw new ArgumentException($"{nameof(DrainRate)} must be non-negative, not {DrainRate}.");
        if (!double.IsFinite(Smoothing) || Smoothing is <= 0 or > 1)
            throw new ArgumentException($"{nameof(Smoothing)} must be in (0, 1], not {Smoothing}.");
    }
}
