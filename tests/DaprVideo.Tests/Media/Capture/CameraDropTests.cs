using System.Collections.Concurrent;
using System.Diagnostics;
using DaprVideo.Core.Video;
using DaprVideo.Media.Capture;
using DaprVideo.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Media.Capture;

/// <summary>
/// A real camera (<see cref="RtspServerFixture"/>) that drops, comes back, never comes back, or trickles bytes, read by
/// <see cref="ChunkCapture"/>. The capture's back-off and deadlines run on a <see cref="FakeTimeProvider"/> that the test
/// moves on whenever the capture waits to reconnect; the camera's outage itself is real time.
/// </summary>
[Trait("Speed", "Slow")]
[Collection(MediaClipsGroup.Name)]
public sealed class CameraDropTests(MediaClips clips, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_camera_that_drops_for_10_s_is_reconnected_and_the_gap_marked_with_no_chunk_lost_or_repeated()
    {
        await using var camera = await RtspServerFixture.StartNewAsync();
        var time = new ReconnectClock();
        var capture = new ChunkCapture(VideoSource.Parse(camera.Url()), clips.NewScratchDirectory(), Options(giveUpAfter: TimeSpan.FromMinutes(30)), time);
        await using var run = CaptureRun.Start(capture);

        await run.WaitForChunksAsync(3, time);
        await camera.StopAsync();
        var stoppedAt = Stopwatch.StartNew();
        // The outage itself: the camera stays away for 10 s of real time while the capture keeps failing to reconnect.
        while (stoppedAt.Elapsed < TimeSpan.FromSeconds(10))
            await CaptureRun.StepAsync(time);
        Assert.True(run.Waits.Count >= 2, $"only {run.Waits.Count} reconnect waits while the camera was away");
        Assert.All(run.Waits, w => Assert.Contains(camera.Url(), w.Reconnecting, StringComparison.Ordinal));

        // Counted once the old connection is surely gone (its last, flushed chunk included).
        var before = run.Chunks.Count;
        await camera.StartAsync();
        var returnedAt = Stopwatch.StartNew();
        await run.WaitForChunksAsync(before + 1, time);
        var reconnect = returnedAt.Elapsed;
        await run.WaitForChunksAsync(before + 3, time);
        output.WriteLine($"first chunk {reconnect.TotalSeconds:0.0} s after the camera returned; {run.Waits.Count} reconnect waits, delays {string.Join(", ", run.Waits.Select(w => w.ReconnectDelay.TotalSeconds))} s");

        var chunks = run.Chunks.ToList();
        output.WriteLine(string.Join("; ", chunks.Select(c => $"#{c.Sequence} {c.Bytes.Length} B {c.DurationSeconds:0.###} s {c.FrameCount} frames{(c.Discontinuity ? " gap" : "")}")));
        Assert.Equal(Enumerable.Range(0, chunks.Count).Select(i => (long)i), chunks.Select(c => c.Sequence));
        Assert.Equal(chunks.Count, chunks.Select(c => c.Bytes.Length + ":" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(c.Bytes))).Distinct().Count());
        var marked = chunks.Where(c => c.Discontinuity).Select(c => c.Sequence).ToList();
        Assert.Single(marked);
        Assert.True(marked[0] >= before, $"the gap is marked at {marked[0]}, before the drop at {before}");
        Assert.True(reconnect < TimeSpan.FromSeconds(30), $"reconnected {reconnect.TotalSeconds:0.0} s after the camera returned");
    }

    [Fact]
    public async Task A_camera_that_never_returns_ends_the_capture_after_the_give_up_time_with_the_reason()
    {
        await using var camera = await RtspServerFixture.StartNewAsync();
        var time = new ReconnectClock();
        var giveUp = TimeSpan.FromSeconds(60);
        var capture = new ChunkCapture(VideoSource.Parse(camera.Url()), clips.NewScratchDirectory(), Options(giveUpAfter: giveUp), time);
        await using var run = CaptureRun.Start(capture);

        await run.WaitForChunksAsync(2, time);
        await camera.StopAsync();
        var beforeStop = run.Chunks.Count;
        var darkSince = time.GetUtcNow();
        var real = Stopwatch.StartNew();
        var e = await run.WaitForFailureAsync(time);

        output.WriteLine($"gave up after {run.Waits.Count} waits, {(time.GetUtcNow() - darkSince).TotalSeconds:0} s of capture time, {real.Elapsed.TotalSeconds:0.0} s real: {e.Message}");
        Assert.Contains("Gave up on " + camera.Url(), e.Message, StringComparison.Ordinal);
        Assert.Contains("no video for", e.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", e.Message, StringComparison.Ordinal);
        // Not earlier than the limit, and not later than the last back-off step would have allowed.
        Assert.InRange(time.GetUtcNow() - darkSince, giveUp - TimeSpan.FromSeconds(3), giveUp + TimeSpan.FromSeconds(1));
        // ffmpeg closes the chunk it was writing when the camera vanishes: that one may still come, nothing after it.
        Assert.InRange(run.Chunks.Count, beforeStop, beforeStop + 1);
    }

    [Fact]
    public async Task A_source_that_trickles_bytes_but_yields_no_chunk_fails_at_the_stall_deadline()
    {
        await using var trickle = new TricklingTcpServer(TimeSpan.FromMilliseconds(200));
        var time = new ReconnectClock();
        var capture = new ChunkCapture(VideoSource.Parse($"rtsp://127.0.0.1:{trickle.Port}/cam"), clips.NewScratchDirectory(),
            Options(giveUpAfter: null) with { NetworkTimeoutSeconds = 2 }, time);
        await using var run = CaptureRun.Start(capture);

        // ffprobe is connected and receiving bytes; its 2 s socket timeout never fires (real seconds pass here).
        await Eventually.HoldsAsync(() => Task.FromResult(trickle.Connections), n => n >= 1, "ffprobe to connect");
        var watching = Stopwatch.StartNew();
        await Eventually.HoldsAsync(() => Task.FromResult(watching.Elapsed), t => t > TimeSpan.FromSeconds(5), "5 s of trickle", seconds: 30);
        Assert.False(run.Ended, "the capture ended on its own: " + run.Failure?.Message);

        // Stall timeout + probe window + the longest chunk a copy may cut at 1 s segments (StreamCopy: 3 s).
        time.Advance(TimeSpan.FromSeconds(30 + 4 + 3));
        var e = await run.WaitForFailureAsync(time);

        Assert.Contains("stalled: no chunk for 30 s", e.Message, StringComparison.Ordinal);
        Assert.Empty(run.Chunks);
    }

    /// <summary>
    /// The capture's clock: a fake one that remembers each reconnect wait it arms (a one-shot timer no longer than the
    /// longest back-off), so the test moves time on by exactly that wait and never by accident past a stall deadline.
    /// </summary>
    internal sealed class ReconnectClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
    {
        private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(8);
        private readonly ConcurrentQueue<TimeSpan> _waits = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (period == Timeout.InfiniteTimeSpan && dueTime <= LongestWait) _waits.Enqueue(dueTime);
            return timer;
        }

        public void AdvancePastWaits()
        {
            while (_waits.TryDequeue(out var wait)) Advance(wait);
        }
    }

    internal static ChunkCaptureOptions Options(TimeSpan? giveUpAfter) => new()
    {
        SegmentSeconds = 1,
        ReconnectInitialDelay = TimeSpan.FromSeconds(1),
        ReconnectMaxDelay = TimeSpan.FromSeconds(8),
        StallTimeout = TimeSpan.FromSeconds(30),
        GiveUpAfter = giveUpAfter,
    };

    /// <summary>A capture consumed in the background; the test moves the fake clock on when the capture waits.</summary>
    internal sealed class CaptureRun : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new(Deadline * 2);
        private readonly ConcurrentQueue<CaptureProgress> _reports = new();
        private Task _task = Task.CompletedTask;

        public ConcurrentQueue<ChunkFile> Chunks { get; } = new();

        public List<CaptureProgress> Waits => [.. _reports.Where(r => r.Reconnecting is not null)];

        public Exception? Failure { get; private set; }

        public bool Ended => _task.IsCompleted;

        public static CaptureRun Start(ChunkCapture capture)
        {
            var run = new CaptureRun();
            run._task = Task.Run(async () =>
            {
                try
                {
                    await foreach (var chunk in capture.CaptureAsync(new Reports(run._reports.Enqueue), run._stop.Token)) run.Chunks.Enqueue(chunk);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    run.Failure = e;
                }
            });
            return run;
        }

        /// <summary>One poll: every reconnect wait the capture has armed is moved past, so the next attempt starts.</summary>
        public static async Task StepAsync(ReconnectClock time)
        {
            time.AdvancePastWaits();
            await Task.Delay(50); // polling interval of a real process, not a synchronisation sleep
        }

        public async Task WaitForChunksAsync(int count, ReconnectClock time)
        {
            var deadline = Stopwatch.StartNew();
            while (Chunks.Count < count)
            {
                if (Ended) throw new InvalidOperationException($"capture ended after {Chunks.Count} chunks: {Failure?.Message}");
                if (deadline.Elapsed > Deadline) throw new TimeoutException($"{Chunks.Count} of {count} chunks after {Deadline.TotalSeconds} s");
                await StepAsync(time);
            }
        }

        public async Task<Exception> WaitForFailureAsync(ReconnectClock time)
        {
            var deadline = Stopwatch.StartNew();
            while (!Ended)
            {
                if (deadline.Elapsed > Deadline) throw new TimeoutException($"capture still running after {Deadline.TotalSeconds} s");
                await StepAsync(time);
            }
            return Failure ?? throw new InvalidOperationException("the capture ended without an error");
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _task;
            }
            catch (OperationCanceledException)
            {
                // how a consumer stops a capture
            }
            _stop.Dispose();
        }

        private sealed class Reports(Action<CaptureProgress> report) : IProgress<CaptureProgress>
        {
            public void Report(CaptureProgress value) => report(value);
        }
    }
}
