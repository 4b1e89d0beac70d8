using DaprVideo.Core.Pipeline;
using DaprVideo.ServiceDefaults;
using DaprVideo.TfServing;
using Microsoft.Extensions.Configuration;

namespace DaprVideo.Inference;

/// <summary>
/// Inference's settings, read and validated once at start: the TF Serving client (TF_SERVING_URL,
/// TF_SERVING_MODEL, BATCH_SIZE, BATCH_TIMEOUT_MS, SCORE_THRESHOLD, DEBUG) and the pipeline (DETECT_FPS, DEBUG).
/// </summary>
public sealed record InferenceSettings(TfServingOptions TfServing, InferenceOptions Pipeline, int ChunkConcurrency)
{
    /// <summary>Chunks annotated at once by one replica: two keep both ffmpeg ends and the detector busy.</summary>
    public const int DefaultChunkConcurrency = 2;

    public static InferenceSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new ServiceSettings(configuration);
        TfServingOptions tfServing;
        try
        {
            tfServing = TfServingOptions.FromEnvironment(name => configuration[name]);
        }
        catch (TfServingConfigurationException e)
        {
            throw new ServiceConfigurationException(e.Message.Split(' ')[0], e.Message[(e.Message.IndexOf(' ', StringComparison.Ordinal) + 1)..], e);
        }
        var pipeline = new InferenceOptions
        {
            DetectFps = settings.Number("DETECT_FPS", 5, 0.1, 120),
            KeepChunks = settings.Switch("DEBUG"),
        };
        pipeline.Validate();
        return new InferenceSettings(tfServing, pipeline, DefaultChunkConcurrency);
    }
}
