using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Codec;
using DaprVideo.Media.Drawing;
using DaprVideo.Media.Probing;

namespace DaprVideo.Tests.Media.Codec;

[Collection(MediaClipsGroup.Name)]
public sealed class EncoderThreadBudgetTests(MediaClips clips)
{
    private static readonly VideoFormat Format = new(320, 240, new FrameRate(25, 1));

    [Fact]
    public async Task Each_encode_gets_the_cores_shared_among_the_encodes_running_when_it_starts()
    {
        var budget = new EncoderThreadBudget(4);
        var encoder = new SegmentEncoder(budget: budget);

        await using (var a = encoder.Start(Format, PixelFormat.I420, 0))
        {
            Assert.Equal(4, a.Threads);
            await using (var b = encoder.Start(Format, PixelFormat.I420, 0))
            {
                Assert.Equal(2, b.Threads);
                await using var c = encoder.Start(Format, PixelFormat.I420, 0);
                Assert.Equal(1, c.Threads);
                Assert.Equal(3, budget.Running);
            }
            Assert.Equal(1, budget.Running);
            await using var d = encoder.Start(Format, PixelFormat.I420, 0);
            Assert.Equal(2, d.Threads);
        }
        Assert.Equal(0, budget.Running);
        // Without a budget, the options' fixed count (0: x264's own choice).
        await using var fixedCount = new SegmentEncoder(new SegmentEncoderOptions { Threads = 3 }).Start(Format, PixelFormat.I420, 0);
        Assert.Equal(3, fixedCount.Threads);
    }

    [Fact]
    public void A_lease_is_given_back_once_and_an_encode_that_fails_to_open_keeps_none()
    {
        var budget = new EncoderThreadBudget(2);
        var lease = budget.Start();
        lease.Dispose();
        lease.Dispose();
        Assert.Equal(0, budget.Running);

        var encoder = new SegmentEncoder(budget: budget);
        // A 1-pixel-wide picture passes the format check but x264 cannot take it (sides are rounded down to even).
        Assert.Throws<MediaException>(() => encoder.Start(new VideoFormat(1, 240, new FrameRate(25, 1)), PixelFormat.I420, 0));
        Assert.Equal(0, budget.Running);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncoderThreadBudget(0));
    }

    [Fact]
    public async Task The_chunks_of_one_stream_encode_one_after_another_each_on_every_core()
    {
        var chunk = await File.ReadAllBytesAsync(clips.ChunkThreeSeconds);
        var budget = new EncoderThreadBudget(2);
        var encoder = new ThreadsSeen(new SegmentEncoder(budget: budget));
        using var drawing = new FrameAnnotatorPool();
        var annotator = new SegmentAnnotator(new NothingFound(), new InferenceOptions(), new FrameDecoder(1), encoder, drawing);
        var id = StreamId.Parse("lone");
        (ObjectTracker, TrackEventLog) Start(long sequence) =>
            (new ObjectTracker(new TrackerOptions()), new TrackEventLog(id, sequence, DateTimeOffset.UnixEpoch, 3 * sequence, null, [], DateTimeOffset.UnixEpoch));

        // As TrackingHandoff passes it: chunk 1 starts at once (decoding, detecting) but goes on from chunk 0's tracking.
        using var first = new ChunkTracking(Task.FromResult<StreamTracking?>(null), _ => Start(0));
        var annotating0 = annotator.AnnotateAsync(chunk, 0, 5, first);
        using var second = new ChunkTracking(annotating0.ContinueWith(_ => (StreamTracking?)null, TaskScheduler.Default), _ => Start(1));
        var annotating1 = annotator.AnnotateAsync(chunk, 3, 5, second);

        var segments = await Task.WhenAll(annotating0, annotating1).WaitAsync(TimeSpan.FromSeconds(60));
        // Chunk 1 waited for its tracking before it started its encoder, so it did not halve chunk 0's share of the cores.
        Assert.Equal([2, 2], encoder.Threads);
        Assert.All(segments, s => Assert.Equal(75, s.FrameCount));
        Assert.Equal(0, budget.Running);
        Assert.Equal(3.0, (await new VideoProbe().ProbeAsync(segments[1].Segment)).SpanSeconds, 1e-6);
    }

    /// <summary>Records the x264 thread count of every encode it starts.</summary>
    private sealed class ThreadsSeen(SegmentEncoder inner) : ISegmentEncoder
    {
        public List<int> Threads { get; } = [];

        public ISegmentEncoding Start(VideoFormat format, PixelFormat pixelFormat, double streamOffsetSeconds)
        {
            var encoding = inner.Start(format, pixelFormat, streamOffsetSeconds);
            lock (Threads) Threads.Add(encoding.Threads);
            return encoding;
        }
    }

    private sealed class NothingFound : IObjectDetector
    {
        public Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default) =>
            Task.FromResult(frames.Select(_ => (IReadOnlyList<Detection>)[]).ToArray());
    }
}
