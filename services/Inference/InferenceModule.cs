using DaprVideo.Core.Vision;
using DaprVideo.Core.Events;
using DaprVideo.Core.Media;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.DaprAdapters;
using DaprVideo.TfServing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Inference;

/// <summary>The Inference module: ChunkCaptured → detect (TF Serving, batched across streams) + annotate → SegmentAnnotated.</summary>
public static class InferenceModule
{
    public const string AppId = "inference";
    public const int DefaultPort = 5102;
    public const string DeadLetterTopic = "chunks-dead";

    /// <summary>Reads <see cref="InferenceSettings"/> (validated now) and registers the detector, annotator and processor.</summary>
    public static WebApplicationBuilder AddInference(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = InferenceSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Pipeline);
        // One FrameBatcher for the whole process: frames of every stream in work share each Predict call.
        builder.Services.AddTfServingDetector(settings.TfServing);
        builder.Services.AddSingleton(sp => new SegmentAnnotator(
            sp.GetRequiredService<IObjectDetector>(), settings.Pipeline, new FrameDecoder(), new SegmentEncoder()));
        builder.Services.AddSingleton(sp => new ChunkProcessor(
            sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IEventPublisher>(),
            sp.GetRequiredService<SegmentAnnotator>(), settings.Pipeline));
        builder.Services.AddSingleton<ChunkWork>();
        return builder;
    }

    /// <summary>Subscribes topic <c>chunks</c> (dead letters to <c>chunks-dead</c>).</summary>
    public static WebApplication MapInference(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapEventSubscription<ChunkCaptured>(Topics.Chunks,
            (chunk, services, ct) => services.GetRequiredService<ChunkWork>().HandleAsync(chunk, ct), DeadLetterTopic);
        return app;
    }
}
