using DaprVideo.ServiceDefaults;
using DaprVideo.Core.Vision;

namespace DaprVideo.Standalone;

/// <summary>
/// The in-process detector's settings from the environment (SCORE_THRESHOLD, DETECTOR_THREADS,
/// MODEL_PATH), validated once at start; command-line options override them.
/// </summary>
public sealed record DetectorSettings(string ModelPath, int Threads, float ScoreThreshold)
{
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "models", SsdModel.FileName);

    public static DetectorSettings From(ServiceSettings env) => new(
        ModelPath: env.Text("MODEL_PATH") ?? DefaultModelPath,
        Threads: env.WholeNumber("DETECTOR_THREADS", 0, 0, 256),
        ScoreThreshold: (float)env.Number("SCORE_THRESHOLD", 0.5, 0, 1));

    public OnnxDetectorOptions ToOptions() => new()
    {
        ModelPath = ModelPath,
        IntraOpThreads = Threads,
        PostProcessing = new PostProcessingOptions { ScoreThreshold = ScoreThreshold },
    };
}
