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

    public OnnxDetectorOptions ToOptions() => new()
    {
        ModelPath = ModelPath,
        IntraOpThreads = Threads,
        PostProcessing = new PostProcessingOptions { ScoreThreshold = ScoreThreshold },
    };
}
