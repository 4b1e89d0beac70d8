using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Media.Codec;
using DaprVideo.Media.Drawing;
using DaprVideo.Media.Images;
using DaprVideo.Core.Tracking;
using DaprVideo.TfServing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DaprVideo.Inference;

/// <summary>
/// The Inference module: ChunkCaptured → detect (TF Serving, batched across streams) + annotate → SegmentAnnotated,
/// over whatever IObjectStore/IEventPublisher the host registered; the host delivers chunks to <see cref="ChunkProcessingGate"/>.
/// </summary>
public static class InferenceModule
{
    public const string AppId = "inference";
    public const int DefaultPort = 5102;
    public const string DeadLetterTopic = "chunks-dead";
    /// <summary>Where an undeliverable <c>StreamEnded</c> goes (the topic Playlist's dead letters of it use too).</summary>
    public const string StreamsDeadLetterTopic = "streams-dead";

    /// <summary>Registers the detector, annotator, processor and the chunk work for <paramref name="settings"/>.</summary>
    public static IServiceCollection AddInference(this IServiceCollection services, InferenceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Pipeline);
        // One FrameBatcher for the whole process: frames of every stream in work share each Predict call.
        services.AddTfServingDetector(settings.TfServing);
        services.AddSingleton(sp => CreateAnnotator(sp.GetRequiredService<IObjectDetector>(), settings.Pipeline, settings.ChunkConcurrency));
        // One rate for the replica: its chunks share its cores (AnalysisRateController); its load goes to the store for Ingest.
        services.AddSingleton(sp => new AnalysisRateController(settings.Pipeline.AnalysisRate,
            sp.GetService<TimeProvider>(), AnalysisLoadReporter.ReplicaName()));
        services.AddSingleton(sp => CreateEventRecorder(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IEventPublisher>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton(sp => new ChunkProcessor(
            sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IEventPublisher>(),
            sp.GetRequiredService<SegmentAnnotator>(), settings.Pipeline, sp.GetRequiredService<AnalysisRateController>(),
            sp.GetRequiredService<EventRecorder>()));
        services.AddSingleton<ChunkProcessingGate>();
        // Its StoppingAsync drains the chunks in flight before Kestrel stops (SIGTERM).
        services.AddHostedService(sp => sp.GetRequiredService<ChunkProcessingGate>());
        services.AddHostedService<AnalysisLoadReporter>();
        return services;
    }

    /// <summary>
    /// The annotator on the media adapters (in-process libav decode and libx264 encode, Skia drawing); the embedded host
    /// uses it too. One CPU budget: <paramref name="chunkConcurrency"/> chunks run at once, so each chunk's decoder gets an
    /// equal share of the cores, and each encode the cores shared among the encodes running when it starts
    /// (<see cref="EncoderThreadBudget"/>). Left to themselves, libavcodec and x264 would each start about 1.5 threads per
    /// core for every chunk, and the threads would only queue for the same cores (and hold frames in memory meanwhile).
    /// </summary>
    public static SegmentAnnotator CreateAnnotator(IObjectDetector detector, InferenceOptions options, int chunkConcurrency)
    {
        var threads = CodecThreads(chunkConcurrency, Environment.ProcessorCount);
        return new(detector, options, new FrameDecoder(threads),
            new SegmentEncoder(new SegmentEncoderOptions { Preset = options.EncodePreset }, new EncoderThreadBudget(Environment.ProcessorCount)),
            new FrameAnnotatorPool());
    }

    /// <summary>Tracking and events on the media adapters (JPEG snapshots); the embedded host uses it too.</summary>
    public static EventRecorder CreateEventRecorder(IObjectStore store, IEventPublisher events, TimeProvider time) =>
        new(store, events, new JpegSnapshotEncoder(), new TrackingHandoff(store, time, TrackingHandoff.DefaultTimeout, TrackingHandoff.DefaultPollInterval),
            new TrackerOptions(), time);

    /// <summary>Decoder and encoder threads per chunk: the cores shared among the chunks in flight, at least one.</summary>
    public static int CodecThreads(int chunkConcurrency, int cores) => Math.Max(1, cores / Math.Max(1, chunkConcurrency));
}
