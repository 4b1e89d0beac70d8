using System.Globalization;
using DaprVideo.Core.Detection;
using DaprVideo.Standalone.Cli;

namespace DaprVideo.Standalone;

/// <summary>
/// The in-process detector's settings from the environment (SCORE_THRESHOLD, DETECTOR_THREADS,
/// MODEL_PATH), validated once at start; command-line options override them.
/// </summary>
public sealed record DetectorSettings(string ModelPath, int Threads, float ScoreThreshold)
{
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "models", SsdModel.FileName);

    public static DetectorSettings FromEnvironment(Func<string, string?> env) => new(
        ModelPath: env("MODEL_PATH") is { Length: > 0 } path ? path : DefaultModelPath,
        Threads: ParseInt(env, "DETECTOR_THREADS", 0, 0, 256),
        ScoreThreshold: ParseFloat(env, "SCORE_THRESHOLD", 0.5f, 0f, 1f));

    public OnnxDetectorOptions ToOptions() => new()
    {
        ModelPath = ModelPath,
        IntraOpThreads = Threads,
        PostProcessing = new PostProcessingOptions { ScoreThreshold = ScoreThreshold },
    };

    private static int ParseInt(Func<string, string?> env, string name, int fallback, int min, int max)
    {
        if (env(name) is not { Length: > 0 } text) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{name} must be a whole number from {min} to {max}, not '{text}'.");
    }

    private static float ParseFloat(Func<string, string?> env, string name, float fallback, float min, float max)
    {
        if (env(name) is not { Length: > 0 } text) return fallback;
        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{name} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'.");
    }
}
