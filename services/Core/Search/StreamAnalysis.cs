namespace DaprVideo.Core.Search;

/// <summary>
/// How a stream's latest segment was analysed: at <see cref="AnalysedFps"/> of the <see cref="DetectFps"/> asked for.
/// <see cref="Degraded"/> when fewer (the pipeline is overloaded and analyses fewer frames to keep video real time).
/// </summary>
public sealed record StreamAnalysis(double AnalysedFps, double DetectFps)
{
    /// <summary>The state a running stream shows while it is analysed below DETECT_FPS.</summary>
    public const string DegradedState = "degraded";

    public bool Degraded => AnalysedFps < DetectFps - 1e-9;
}
