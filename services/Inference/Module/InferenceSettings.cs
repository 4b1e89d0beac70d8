using DaprVideo.Core.Pipeline;
using DaprVideo.Settings;
using DaprVideo.TfServing;
using Microsoft.Extensions.Configuration;

namespace DaprVideo.Inference;

/// <summary>
/// Inference's settings, read and validated once at start: the TF Serving client (TF_SERVING_URL,
/// TF_SERVING_MODEL, TF_SERVING_INPUT_SIZE, TF_SERVING_TIMEOUT_MS, BATCH_SIZE, BATCH_TIMEOUT_MS, SCORE_THRESHOLD,
/// DEBUG), the pipeline (DETECT_FPS, DETECT_FPS_MIN, ENCODE_PRESET, DEBUG) and the stop (SHUTDOWN_TIMEOUT). A bad value throws <see cref="SettingsException"/>.
/// </summary>
public sealed record InferenceSettings(TfServingOptions TfServing, InferenceOptions Pipeline, int ChunkConcurrency)
{
    /// <summary>
    /// Chunks annotated at once by one replica (and by the embedded host): one per core, plus one, so the cores stay busy
    /// while a chunk waits for its detections (each frame is drawn only once its detection is back). Not measured apart:
    /// the idle cores OverloadBench showed came from the detector's batches never overlapping (FrameBatcher).
    /// </summary>
    public static int DefaultChunkConcurrency => Environment.ProcessorCount + 1;

    /// <summary>
    /// How long chunks in flight may still run once the host stops; then they are cancelled and handed back (RETRY).
    /// The rest of SHUTDOWN_TIMEOUT (a quarter, at most 5 s) is left for answering daprd and stopping Kestrel.
    /// </summary>
    public TimeSpan ShutdownDrain { get; init; } = DrainWithin(TimeSpan.FromSeconds(SettingsCatalogue.ShutdownTimeout.Default));

    /// <summary>The drain allowed within a shutdown timeout: all of it but a quarter, at most 5 s.</summary>
    public static TimeSpan DrainWithin(TimeSpan shutdownTimeout) =>
        shutdownTimeout - TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, shutdownTimeout.Ticks / 4));

    public static InferenceSettings From(IConfiguration configuration) => From(new SettingsReader(configuration));

    public static InferenceSettings From(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tfServing = TfServingOptions.FromSettings(settings);
        var pipeline = new InferenceOptions
        {
            DetectFps = settings.Number(SettingsCatalogue.DetectFps),
            DetectFpsMin = settings.Number(SettingsCatalogue.DetectFpsMin),
            EncodePreset = settings.Choice(SettingsCatalogue.EncodePreset),
            KeepChunks = settings.Switch(SettingsCatalogue.Debug),
        };
        pipeline.Validate();
        return new InferenceSettings(tfServing, pipeline, DefaultChunkConcurrency)
        {
            ShutdownDrain = DrainWithin(TimeSpan.FromSeconds(settings.Number(SettingsCatalogue.ShutdownTimeout))),
        };
    }
}
