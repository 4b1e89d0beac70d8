using DaprVideo.Core.Events;
using DaprVideo.DaprAdapters;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Inference;

/// <summary>Dapr app "inference": the Inference module on the sidecar's object store and pub/sub, subscribed to topic <c>chunks</c>.</summary>
public static class InferenceApp
{
    /// <summary>Reads <see cref="InferenceSettings"/> from the host's settings (a bad value stops it here) and adds the module.</summary>
    public static void AddServices(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddInference(InferenceSettings.From(builder.Configuration));
    }

    /// <summary>
    /// Subscribes topic <c>chunks</c> (dead letters to <c>chunks-dead</c>) and <c>streams</c>, where a stream's end closes
    /// the events still open on it.
    /// </summary>
    public static void MapEndpoints(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapEventSubscription<ChunkCaptured>(Topics.Chunks,
            (chunk, services, ct) => services.GetRequiredService<ChunkProcessingGate>().HandleAsync(chunk, ct), InferenceModule.DeadLetterTopic);
        app.MapEventSubscription<StreamEnded>(Topics.Streams,
            (ended, services, ct) => services.GetRequiredService<Core.Pipeline.EventRecorder>().EndStreamAsync(ended, ct), InferenceModule.StreamsDeadLetterTopic);
    }
}
