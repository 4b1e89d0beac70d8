using DaprVideo.Core.Inference;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Tests.TfServing.Support;

namespace DaprVideo.Tests.TfServing;

public sealed class FrameBatcherTests
{
    private static ImageFrame Frame(byte r) => ColourCodedDetector.SolidFrame(r, 200, 0, 4, 4);

    [Fact]
    public async Task A_full_batch_goes_out_at_once_without_waiting_for_the_timeout()
    {
        var inner = new ColourCodedDetector();
        await using var batcher = new FrameBatcher(inner, new FrameBatcherOptions { BatchSize = 4, BatchTimeout = TimeSpan.FromMinutes(1), QueueCapacity = 8 });

        var calls = Enumerable.Range(0, 4).Select(i => batcher.DetectAsync([Frame((byte)i)])).ToArray();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));

        for (var i = 0; i < 4; i++) Assert.Equal(1 + i, Assert.Single(results[i][0]).ClassId);
        Assert.Equal([4], inner.BatchSizes);
        Assert.Equal(4, batcher.GetStats().LargestBatch);
    }

    [Fact]
    public async Task A_lone_frame_goes_out_when_the_timeout_expires()
    {
        var inner = new ColourCodedDetector();
        await using var batcher = new FrameBatcher(inner, new FrameBatcherOptions { BatchSize = 8, BatchTimeout = TimeSpan.FromMilliseconds(30) });

        var result = await batcher.DetectAsync([Frame(5)]).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(6, Assert.Single(result[0]).ClassId);
        Assert.Equal(1, batcher.GetStats().Batches);
        Assert.Equal(1, batcher.GetStats().BatchSizeCounts[1]);
    }

    [Fact]
    public async Task A_caller_with_more_frames_than_the_queue_holds_waits_for_room_and_gets_all_results_in_order()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new ColourCodedDetector { Gate = () => gate.Task };
        await using var batcher = new FrameBatcher(inner, new FrameBatcherOptions { BatchSize = 4, BatchTimeout = TimeSpan.Zero, QueueCapacity = 4 });

        var frames = Enumerable.Range(0, 20).Select(i => Frame((byte)i)).ToArray();
        var call = batcher.DetectAsync(frames);
        // The model is held: one batch in flight plus a full queue, so the caller cannot have finished.
        await Eventually.HoldsAsync(() => Task.FromResult(inner.BatchSizes.Count), n => n == 1, "one batch in flight", 10);
        Assert.False(call.IsCompleted);

        gate.SetResult();
        var results = await call.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 20; i++) Assert.Equal(1 + i, Assert.Single(results[i]).ClassId);
        Assert.All(inner.BatchSizes, size => Assert.InRange(size, 1, 4));
        Assert.Equal(20, inner.BatchSizes.Sum());
    }

    [Fact]
    public async Task A_cancelled_caller_drops_its_queued_frames_and_others_are_unaffected()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new ColourCodedDetector { Gate = () => gate.Task };
        await using var batcher = new FrameBatcher(inner, new FrameBatcherOptions { BatchSize = 2, BatchTimeout = TimeSpan.Zero, QueueCapacity = 8 });

        var first = batcher.DetectAsync([Frame(1), Frame(2)]);
        await Eventually.HoldsAsync(() => Task.FromResult(inner.BatchSizes.Count), n => n == 1, "the first batch held in flight", 10);
        using var cts = new CancellationTokenSource();
        var cancelled = batcher.DetectAsync([Frame(50), Frame(51)], cts.Token);
        var other = batcher.DetectAsync([Frame(3)]);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.SetResult();
        Assert.Equal(4, Assert.Single((await other.WaitAsync(TimeSpan.FromSeconds(10)))[0]).ClassId);
        Assert.Equal(3, (await first)[1][0].ClassId);
        Assert.Equal(3, inner.BatchSizes.Sum()); // frames 50 and 51 never reached the model
    }

    [Fact]
    public async Task A_failing_model_fails_every_caller_of_that_batch_with_the_same_exception()
    {
        var inner = new FailingDetector();
        await using var batcher = new FrameBatcher(inner, new FrameBatcherOptions { BatchSize = 2, BatchTimeout = TimeSpan.FromMinutes(1) });

        var a = batcher.DetectAsync([Frame(1)]);
        var b = batcher.DetectAsync([Frame(2)]);

        await Assert.ThrowsAsync<DetectorUnavailableException>(() => a);
        await Assert.ThrowsAsync<DetectorUnavailableException>(() => b);
        Assert.Equal(1, batcher.GetStats().FailedBatches);
    }

    [Fact]
    public async Task A_bad_frame_fails_only_its_caller()
    {
        var inner = new ColourCodedDetector();
        await using var batcher = new FrameBatcher(inner, new FrameBatcherOptions());

        await Assert.ThrowsAsync<ArgumentException>(() => batcher.DetectAsync([ImageFrame.Rgb(new byte[3], 4, 4)]));
        Assert.Empty(inner.BatchSizes);
    }

    [Fact]
    public async Task Batches_of_a_synchronous_model_overlap_up_to_the_concurrency()
    {
        // An in-process model computes inside DetectAsync on the caller's thread: two batches must still run at once.
        using var inner = new BlockingDetector(expected: 2);
        await using var batcher = new FrameBatcher(inner, new FrameBatcherOptions { BatchSize = 1, BatchTimeout = TimeSpan.Zero, MaxConcurrentBatches = 2 });

        var calls = new[] { batcher.DetectAsync([Frame(1)]), batcher.DetectAsync([Frame(2)]) };
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, inner.MostAtOnce);
    }

    /// <summary>Blocks its thread in each call until <c>expected</c> calls are inside at once (or 10 s pass).</summary>
    private sealed class BlockingDetector(int expected) : IObjectDetector, IDisposable
    {
        private readonly CountdownEvent _inside = new(expected);
        private int _now;

        public int MostAtOnce { get; private set; }

        public Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default)
        {
            lock (_inside) MostAtOnce = Math.Max(MostAtOnce, ++_now);
            _inside.Signal();
            _inside.Wait(TimeSpan.FromSeconds(10), cancellationToken);
            lock (_inside) _now--;
            return Task.FromResult(frames.Select(_ => (IReadOnlyList<Detection>)[]).ToArray());
        }

        public void Dispose() => _inside.Dispose();
    }

    private sealed class FailingDetector : IObjectDetector
    {
        public Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default) =>
            Task.FromException<IReadOnlyList<Detection>[]>(new DetectorUnavailableException("down"));
    }
}
