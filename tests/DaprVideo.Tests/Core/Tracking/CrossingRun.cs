using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Inference;
using DaprVideo.Media.Capture;
using DaprVideo.Media.Codec;
using DaprVideo.Media.Drawing;
using DaprVideo.Onnx;

namespace DaprVideo.Tests.Core.Tracking;

/// <summary>
/// The Inference side's pipeline, as the hosts wire it, run once on <see cref="CrossingClip"/>: real capture into 3 s
/// chunks, the real decoder, ONNX detector, tracker, drawing and encoder, events and snapshots into an in-memory store.
/// What is drawn on every frame is recorded by a decorator around the real annotator.
/// </summary>
public sealed class CrossingRun : IAsyncLifetime
{
    public static readonly StreamId Id = StreamId.Parse("crossing");

    public static MovingPhotoScene Scene => CrossingClip.Scene;
    public MemoryObjectStore Store { get; } = new();

    /// <summary>Every frame boxes were drawn on, in order: stream time and what was drawn.</summary>
    public IReadOnlyList<(double T, IReadOnlyList<Detection> Drawn)> Drawn => _annotator.Frames;

    public IReadOnlyList<SegmentRecord> Records { get; private set; } = [];
    public IReadOnlyList<TrackEvent> Events { get; private set; } = [];
    public IReadOnlyList<TrackEventChanged> Published => _bus.Changes;

    /// <summary>The analysed frames' stream times (every record's frames).</summary>
    public IReadOnlyList<double> AnalysedTimes => [.. Records.SelectMany(r => r.Frames).Select(f => f.T)];

    private readonly RecordingAnnotator _annotator = new();
    private readonly ChunkBus _bus = new();

    public async Task InitializeAsync()
    {
        var clip = await CrossingClip.PathAsync();
        using var detector = new OnnxObjectDetector(new OnnxDetectorOptions { ModelPath = RepoPaths.Model, IntraOpThreads = 2 });
        using var pool = new FrameAnnotatorPool();
        _annotator.Inner = pool;
        var options = new InferenceOptions();
        var annotator = new SegmentAnnotator(detector, options, new FrameDecoder(), new SegmentEncoder(), _annotator);
        var events = InferenceModule.CreateEventRecorder(Store, _bus, TimeProvider.System);
        var processor = new ChunkProcessor(Store, _bus, annotator, options, eventRecorder: events);
        _bus.OnChunk = async c =>
        {
            _annotator.Offset = c.OffsetSeconds;
            await processor.ProcessAsync(c);
        };

        using var scratch = new TempDirectory();
        var capture = new ChunkCapture(VideoSource.Parse(clip), scratch.Path, new ChunkCaptureOptions { SegmentSeconds = 3, Live = false });
        var ingestor = new ChunkIngestor(Store, _bus);
        var last = await ingestor.IngestAsync(Id, capture.CaptureAsync());
        await events.EndStreamAsync(new StreamEnded(Id.Value, last), CancellationToken.None);

        var records = new List<SegmentRecord>();
        for (var s = 0L; s <= last; s++) records.Add(SegmentRecord.Parse(await Store.GetAsync(ObjectKeys.SegmentRecord(Id, s)) ?? throw new InvalidOperationException($"No record {s}.")));
        Records = records;
        var stored = new List<TrackEvent>();
        foreach (var key in await Store.ListAsync(ObjectKeys.EventsPrefix(Id)))
            if (key.EndsWith(".json", StringComparison.Ordinal)) stored.Add(TrackEvent.Parse(await Store.GetAsync(key)));
        Events = stored;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Draws with the real annotator and keeps what it drew, with the frame's stream time.</summary>
    private sealed class RecordingAnnotator : IFrameAnnotator
    {
        public FrameAnnotatorPool? Inner { get; set; }
        public double Offset { get; set; }
        public List<(double, IReadOnlyList<Detection>)> Frames { get; } = [];

        public void Annotate(DecodedFrame frame, IReadOnlyList<Detection> detections)
        {
            // Chunks are processed one after another (the bus awaits each): the offset is this chunk's.
            Frames.Add((Math.Round(Offset + frame.PtsSeconds, 3), [.. detections]));
            Inner!.Annotate(frame, detections);
        }
    }

    /// <summary>Hands each announced chunk to Inference at once and keeps the published event changes.</summary>
    private sealed class ChunkBus : IEventPublisher
    {
        public Func<ChunkCaptured, Task>? OnChunk { get; set; }
        public List<TrackEventChanged> Changes { get; } = [];

        public async Task PublishAsync<TEvent>(string topic, TEvent message, CancellationToken cancellationToken = default) where TEvent : class
        {
            if (message is ChunkCaptured chunk) await OnChunk!(chunk);
            if (message is TrackEventChanged change) Changes.Add(change);
        }
    }
}
