using DaprVideo.Core.Events;
using DaprVideo.Core.Inference;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Inference;
using DaprVideo.Onnx;
using DaprVideo.TfServing;

namespace DaprVideo.Embedded;

/// <summary>
/// Ingest, Inference and Playlist in one process: the same Core pipeline the Dapr services host,
/// wired to the in-process bus, a directory store and the in-process ONNX detector (or a remote
/// TF Serving-compatible server). Frames from every stream meet in one <see cref="FrameBatcher"/>. A live pipeline
/// (<c>serve</c>) analyses at the rate its <see cref="AnalysisRateController"/> sets and admits new streams by it; a
/// VOD run (<c>process</c>) has no live edge to keep up with and analyses every chunk at DETECT_FPS.
/// </summary>
public sealed class EmbeddedPipeline : IAsyncDisposable
{
    private readonly IObjectDetector _model;
    private readonly bool _ownsModel;
    private readonly FrameBatcher _detector;
    private readonly TaskCompletionSource<string> _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where in the data folder the streams' objects live.</summary>
    public const string StreamsPrefix = "streams/";

    /// <param name="journal">
    /// <c>serve</c>: chunks are journalled in the data folder until Inference has handled them (<see cref="ChunkJournal"/>),
    /// so a stop or a crash never loses a stored chunk's segment. <c>process</c> has none (a failed run leaves nothing).
    /// </param>
    /// <param name="detector">The detector to batch frames for instead of the one the settings name (tests, benchmarks); not disposed here.</param>
    /// <param name="timeProvider">The analysis rate's clock.</param>
    public EmbeddedPipeline(PipelineSettings settings, string dataDirectory, bool vodOnly, bool journal = false, IObjectDetector? detector = null, TimeProvider? timeProvider = null)
    {
        Settings = settings;
        Store = new FileObjectStore(dataDirectory, StreamsPrefix);
        _ownsModel = detector is null;
        _model = detector ?? (settings.TfServingUrl is { } url
            ? new TfServingObjectDetector(TfServingOptions.FromUrl(url) with { ScoreThreshold = settings.Detector.ScoreThreshold, BatchSize = settings.BatchSize })
            : new OnnxObjectDetector(settings.Detector.ToOptions()));
        _detector = new FrameBatcher(_model, settings.Batching);
        Journal = journal ? new ChunkJournal(dataDirectory) : null;
        Bus = new InProcessEventBus((topic, message, error) =>
        {
            // Given up: like a broker's dead letter, the chunk is not delivered again.
            if (message is ChunkCaptured dead) Journal?.Complete(dead);
            _failure.TrySetResult($"{topic} event {message} failed: {error.Message.ReplaceLineEndings(" ")}");
        });

        var inference = settings.Inference;
        inference.Validate();
        var annotator = InferenceModule.CreateAnnotator(_detector, inference, InferenceSettings.DefaultChunkConcurrency);
        Analysis = vodOnly ? null : new AnalysisRateController(inference.AnalysisRate, timeProvider);
        Events = InferenceModule.CreateEventRecorder(Store, Bus, timeProvider ?? TimeProvider.System);
        var processor = new ChunkProcessor(Store, Bus, annotator, inference, Analysis, Events);
        PlaylistOptions = new PlaylistBuilderOptions { Playlist = settings.Playlist, VodOnly = vodOnly, Retention = settings.Retention };
        Playlists = new PlaylistBuilder(Store, PlaylistOptions);
        Ingestor = new ChunkIngestor(Store, Journal?.Journalled(Bus) ?? Bus);

        Bus.Subscribe<ChunkCaptured>(Topics.Chunks, async (chunk, ct) =>
        {
            await processor.ProcessAsync(chunk, ct);
            Journal?.Complete(chunk);
        }, concurrency: InferenceSettings.DefaultChunkConcurrency, capacity: 2 * InferenceSettings.DefaultChunkConcurrency);
        Bus.Subscribe<SegmentAnnotated>(Topics.Segments, Playlists.OnSegmentAsync);
        Bus.Subscribe<StreamEnded>(Topics.Streams, Playlists.OnStreamEndedAsync);
        Bus.Subscribe<StreamEnded>(Topics.Streams, Events.EndStreamAsync);
        Bus.Subscribe<StreamPurged>(Topics.Purges, Playlists.OnStreamPurgedAsync);
        Bus.Subscribe<TrackEventChanged>(Topics.Events, async (changed, ct) => await Playlists.Events.OnEventChangedAsync(changed, ct));
    }

    public PipelineSettings Settings { get; }
    public FileObjectStore Store { get; }
    public InProcessEventBus Bus { get; }
    public PlaylistBuilder Playlists { get; }
    public PlaylistBuilderOptions PlaylistOptions { get; }
    public ChunkIngestor Ingestor { get; }

    /// <summary>Tracking and events (Inference's side); the stream's end closes its open events.</summary>
    public EventRecorder Events { get; }

    /// <summary>The chunk journal of <c>serve</c> (null for <c>process</c>).</summary>
    public ChunkJournal? Journal { get; }

    /// <summary>Publishes the chunks an earlier run left unhandled (journal entries) again; returns how many.</summary>
    public Task<int> ReplayJournalAsync(CancellationToken cancellationToken = default) =>
        Journal?.ReplayAsync(Bus, cancellationToken) ?? Task.FromResult(0);

    /// <summary>
    /// Stop, step two (after Ingest stopped capturing): lets Inference and Playlist finish every event already published,
    /// the chunks in flight and queued included, until <paramref name="cancellationToken"/>. What is left then stays in
    /// the journal for the next start. True when everything was handled.
    /// </summary>
    public Task<bool> DrainAsync(CancellationToken cancellationToken) => Bus.WhenIdleAsync(cancellationToken);
    /// <summary>The live pipeline's analysis rate and admission; null for a VOD run.</summary>
    public AnalysisRateController? Analysis { get; }

    /// <summary>Completes with a one-line reason when an event could not be handled after retries.</summary>
    public Task<string> Failure => _failure.Task;

    /// <summary>Achieved batch sizes, for the benchmarks and the logs.</summary>
    public FrameBatcherStats BatchStats => _detector.GetStats();

    public async ValueTask DisposeAsync()
    {
        await Bus.DisposeAsync();
        await _detector.DisposeAsync();
        if (_ownsModel) (_model as IDisposable)?.Dispose();
    }
}
