using DaprVideo.Core.Vision;
using DaprVideo.Onnx;
using DaprVideo.Settings;

namespace DaprVideo.Embedded;

/// <summary>
/// The in-process detector's settings from the environment (SCORE_THRESHOLD, DETECTOR_THREADS,
/// MODEL_PATH), validated once at start; command-line options override them.
/// </summary>
public sealed record DetectorSettings(string ModelPath, int Threads, float ScoreThreshold)
{
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "models", SsdModel.FileName);

    public static DetectorSettings From(SettingsReader env)
    {
        ArgumentNullException.ThrowIfNull(env);
        return new(
            ModelPath: env.Text(SettingsCatalogue.ModelPath, DefaultModelPath),
            Threads: env.WholeNumber(SettingsCatalogue.DetectorThreads),
            ScoreThreshold: (float)env.Number(SettingsCatalogue.ScoreThreshold));
    }

    /// <summary>
    /// Model runs at once: with DETECTOR_THREADS 0, one single-threaded run per core. On a machine the codecs keep busy, a
    /// run's threads only wait for each other: two threads per run cost 15 % more CPU per frame than one (DetectorBench).
    /// With a thread count given, one run at a time on that many threads.
    /// </summary>
    public int ConcurrentRuns => Threads == 0 ? Environment.ProcessorCount : 1;

    public OnnxDetectorOptions ToOptions() => new()
    {
        ModelPath = ModelPath,
        IntraOpThreads = Threads == 0 ? 1 : Threads,
        PostProcessing = new PostProcessingOptions { ScoreThreshold = ScoreThreshold },
    };
}
