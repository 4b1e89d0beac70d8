using System.Threading.Channels;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Tracking;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// Decodes a chunk, detects objects on frames picked at <see cref="InferenceOptions.DetectFps"/> (or the rate the
/// caller asks for: <see cref="AnalysisRateController"/> lowers it under overload),
/// draws boxes on every frame and encodes the annotated segment. With a <see cref="ChunkTracking"/> the analysed frames go
/// through the stream's tracker (captions gain the track id) and the frames between analyses get the tracked objects where
/// their motion puts them; without one the latest boxes stay where they were found. Decoding, detection and
/// drawing+encoding (each behind its port) overlap; a bounded frame queue between them gives backpressure.
/// </summary>
public sealed class SegmentAnnotator(
    IObjectDetector detector,
    InferenceOptions options,
    IFrameDecoder decoder,
    ISegmentEncoder encoder,
    IFrameAnnotator annotator)
{
    public Task<EncodedSegment> AnnotateAsync(ReadOnlyMemory<byte> chunk, double offsetSeconds, CancellationToken cancellationToken = default) =>
        AnnotateAsync(chunk, offsetSeconds, options.DetectFps, cancellationToken);

    /// <param name="detectFps">Frames analysed per second of video for this chunk; every frame is still drawn and encoded.</param>
    public Task<EncodedSegment> AnnotateAsync(ReadOnlyMemory<byte> chunk, double offsetSeconds, double detectFps, CancellationToken cancellationToken = default) =>
        AnnotateAsync(chunk, offsetSeconds, detectFps, null, cancellationToken);

    /// <param name="tracking">The stream's tracking for this chunk, or null to draw detections as found.</param>
    public async Task<EncodedSegment> AnnotateAsync(ReadOnlyMemory<byte> chunk, double offsetSeconds, double detectFps, ChunkTracking? tracking,
        CancellationToken cancellationToken = default)
    {
        if (!double.IsFinite(detectFps) || detectFps <= 0 || detectFps > 120)
            throw new ArgumentOutOfRangeException(nameof(detectFps), detectFps, "The analysis rate must be a number in (0, 120].");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queue = Channel.CreateBounded<PendingFrame>(new BoundedChannelOptions(options.FrameQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var state = new DetectionState();
        using var budget = new FrameBudget(options.FrameQueueBytes, options.FrameQueueCapacity);
        var producer = Task.Run(() => DecodeAsync(chunk, offsetSeconds, detectFps, queue.Writer, state, budget, stop.Token), stop.Token);

        ISegmentEncoding? encoding = null;
        try
        {
            var frames = new List<AnalysedFrame>();
            IReadOnlyList<Detection> current = [];
            await foreach (var pending in queue.Reader.ReadAllAsync(stop.Token))
            {
                using (pending.Frame)
                {
                    if (pending.Detection is { } detection)
                    {
                        try
                        {
                            current = (await detection)[0];
                            if (tracking is not null)
                                current = await tracking.AnalysedAsync(pending.T, current, pending.Frame.AsImageFrame(), stop.Token);
                            frames.Add(new AnalysedFrame(Math.Round(pending.T, 3), current));
                        }
                        catch (DetectorUnavailableException)
                        {
                            // Keep the video flowing un-annotated; no more detections for this chunk.
                            state.Unavailable = true;
                            current = [];
                        }
                    }
                    else if (tracking is not null && !state.Unavailable)
                    {
                        current = await tracking.BetweenAsync(pending.T, stop.Token);
                    }
                    if (current.Count > 0) annotator.Annotate(pending.Frame, current);
                    // The decoder learns the format from its own output: the encoder starts with the first frame, once
                    // the stream's tracking has come (the encoder's share of the cores is set by the encodes running then).
                    encoding ??= encoder.Start(pending.Frame.Format, pending.Frame.PixelFormat, offsetSeconds);
                    await encoding.WriteFrameAsync(pending.Frame, stop.Token);
                }
                budget.Leave();
            }
            await producer;
            if (encoding is null) throw new MediaException($"Chunk of {chunk.Length} bytes holds no video frames.");
            var segment = await encoding.CompleteAsync(stop.Token);
            var duration = encoding.FramesWritten * encoding.Format.FrameRate.FrameDuration;
            return new EncodedSegment(segment, duration, encoding.FramesWritten, !state.Unavailable, frames);
        }
        finally
        {
            await stop.CancelAsync();
            await DrainAsync(queue.Reader, producer);
            if (encoding is not null) await encoding.DisposeAsync();
        }
    }

    private async Task DecodeAsync(ReadOnlyMemory<byte> chunk, double offset, double detectFps, ChannelWriter<PendingFrame> writer, DetectionState state, FrameBudget budget, CancellationToken ct)
    {
        try
        {
            var lastSlot = double.NegativeInfinity;
            await foreach (var frame in decoder.DecodeAsync(chunk, PixelFormat.I420, ct))
            {
                try
                {
                    await budget.EnterAsync(frame.Pixels.Length, ct);
                }
                catch
                {
                    frame.Dispose();
                    throw;
                }
                var t = offset + frame.PtsSeconds;
                // Slots of 1/detectFps on the stream timeline: the first frame of each new slot is analysed,
                // unless the detector is behind (too many in flight) or down.
                var slot = Math.Floor(t * detectFps + 1e-6);
                Task<IReadOnlyList<Detection>[]>? detection = null;
                if (slot > lastSlot && !state.Unavailable && state.Pending < options.MaxPendingDetections)
                {
                    lastSlot = slot;
                    detection = state.Track(detector.DetectAsync([frame.AsImageFrame()], ct));
                }
                await writer.WriteAsync(new PendingFrame(frame, t, detection), ct);
            }
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
        }
    }

    /// <summary>After a failure: let in-flight detections finish before their frames' buffers go back to the pool.</summary>
    private static async Task DrainAsync(ChannelReader<PendingFrame> reader, Task producer)
    {
        try { await producer; } catch { /* reported by the reader already */ }
        while (reader.TryRead(out var pending))
        {
            if (pending.Detection is { } d)
            {
                try { await d; } catch { /* the chunk has failed anyway */ }
            }
            pending.Frame.Dispose();
        }
    }

    private sealed record PendingFrame(DecodedFrame Frame, double T, Task<IReadOnlyList<Detection>[]>? Detection);

    private sealed class DetectionState
    {
        private int _pending;
        public volatile bool Unavailable;

        public int Pending => Volatile.Read(ref _pending);

        public Task<IReadOnlyList<Detection>[]> Track(Task<IReadOnlyList<Detection>[]> detection)
        {
            Interlocked.Increment(ref _pending);
            _ = detection.ContinueWith(_ => Interlocked.Decrement(ref _pending), TaskScheduler.Default);
            return detection;
        }
    }
}
