using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Core.Pipeline;

/// <summary>The overload controller on a fake clock: chunks are fed as Inference would see them, nothing sleeps.</summary>
public class AnalysisRateControllerTests(ITestOutputHelper output)
{
    private const double D = 3; // chunk seconds
    private const double Latency = 0.5; // every test stream's fixed latency: the controller measures lag beyond it

    // No smoothing for the step-by-step tests (each chunk's lag counts whole); the loop tests use the default.
    private static readonly AnalysisRateOptions Options = new() { MaxFps = 5, MinFps = 1, Smoothing = 1 };
    private static readonly AnalysisRateOptions LoopOptions = new() { MaxFps = 5, MinFps = 1 };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, long> _sequences = [];

    private AnalysisRateController Controller(AnalysisRateOptions? options = null) => new(options ?? Options, _time);

    /// <summary>
    /// One chunk of <paramref name="stream"/> finished now, <paramref name="lag"/> seconds later than the stream's fixed
    /// latency allows. A stream's first call first finishes a chunk on time, which teaches the controller that latency.
    /// </summary>
    private void Finish(AnalysisRateController controller, double lag, string stream = "cam")
    {
        if (!_sequences.ContainsKey(stream)) Complete(controller, stream, Latency);
        Complete(controller, stream, lag + Latency);
    }

    /// <summary>A chunk analysed at <paramref name="analysedFps"/> (default: the current rate) finished <paramref name="lag"/> s after its last frame.</summary>
    private void Complete(AnalysisRateController controller, string stream, double lag, double? analysedFps = null)
    {
        var sequence = _sequences[stream] = _sequences.GetValueOrDefault(stream, -1) + 1;
        var end = _time.GetUtcNow() - TimeSpan.FromSeconds(lag);
        controller.Completed(new ChunkCaptured(stream, sequence, $"streams/{stream}/chunks/x.ts", end - TimeSpan.FromSeconds(D), 0, D, false),
            analysedFps ?? controller.CurrentFps);
    }

    /// <summary>Two chunks of "cam", a chunk duration apart, late and getting later: enough to show the lag grows.</summary>
    private void Behind(AnalysisRateController controller, double lag)
    {
        Finish(controller, lag - 1);
        Wait(D);
        Finish(controller, lag);
    }

    private void Wait(double seconds) => _time.Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>A stream falling behind: each chunk finishes <paramref name="growthPerChunk"/> seconds later than the last.</summary>
    private void FallBehind(AnalysisRateController controller, int chunks, double startLag = 8, double growthPerChunk = 1)
    {
        for (var i = 0; i < chunks; i++)
        {
            Finish(controller, startLag + i * growthPerChunk);
            Wait(D);
        }
    }

    [Fact]
    public void Rate_holds_at_DETECT_FPS_while_the_pipeline_keeps_up()
    {
        var controller = Controller();
        for (var i = 0; i < 50; i++)
        {
            Finish(controller, lag: 1.5);
            Wait(D);
        }

        Assert.Equal(5, controller.CurrentFps);
        Assert.Equal(AnalysisLoad.Normal, controller.Load().State);
        Assert.False(controller.Overloaded);
    }

    [Fact]
    public void A_streams_fixed_latency_is_not_lag()
    {
        // A source whose first frame came 2.5 s after capture started: every chunk of it looks 2.5 s later, steadily.
        var controller = Controller(LoopOptions);
        for (var i = 0; i < 50; i++)
        {
            Complete(controller, "slow-start", 2.5 + 0.4 * (i % 3));
            Complete(controller, "prompt", 0.6 + 0.4 * (i % 2));
            Wait(D);
        }

        Assert.Equal(5, controller.CurrentFps);
        Assert.InRange(controller.Load().LagSeconds, 0, 1);
    }

    [Fact]
    public void Sustained_lag_lowers_the_rate_multiplicatively_once_the_current_rate_shows_it_is_not_enough()
    {
        var controller = Controller();

        // One late chunk says nothing about a trend.
        Finish(controller, lag: 7);
        Assert.Equal(5, controller.CurrentFps);
        // The next one later still: the lag grows at this rate.
        Wait(D);
        Finish(controller, lag: 8);
        Assert.Equal(3.5, controller.CurrentFps);

        // Other streams' late chunks within the same chunk duration change nothing: the new rate has not shown yet.
        Wait(1);
        Finish(controller, lag: 9, stream: "other");
        Wait(1);
        Finish(controller, lag: 9, stream: "third");
        Assert.Equal(3.5, controller.CurrentFps);
        // Nor does the first chunk at the new rate: growth is measured between two chunks analysed at it.
        Wait(1);
        Finish(controller, lag: 9.5);
        Assert.Equal(3.5, controller.CurrentFps);

        Wait(D);
        Finish(controller, lag: 10.5);
        Assert.Equal(2.45, controller.CurrentFps);
        Assert.Equal(AnalysisLoad.Degraded, controller.Load().State);
    }

    [Fact]
    public void Chunks_analysed_at_an_older_rate_do_not_lower_it_again()
    {
        var controller = Controller();
        Behind(controller, lag: 7);
        Assert.Equal(3.5, controller.CurrentFps);

        // Chunks already in work at 5 fps finish later and later: they show what 5 fps did, not 3.5.
        for (var i = 0; i < 3; i++)
        {
            Wait(D);
            Complete(controller, "cam", 8 + i + Latency, analysedFps: 5);
        }
        Assert.Equal(3.5, controller.CurrentFps);

        // Two at 3.5, still later: now the current rate is shown not to be enough.
        Wait(D);
        Complete(controller, "cam", 10.5 + Latency);
        Wait(D);
        Complete(controller, "cam", 11.5 + Latency);
        Assert.Equal(2.45, controller.CurrentFps);
    }

    [Fact]
    public void A_chunk_finishing_far_behind_sets_the_floor_outright()
    {
        var controller = Controller();
        Finish(controller, lag: 1);
        Wait(D);
        Finish(controller, lag: 13); // more than twice the high bound (2 x 6 s)

        Assert.Equal(1, controller.CurrentFps);
    }

    [Fact]
    public void Rate_never_goes_below_the_floor()
    {
        var controller = Controller();
        FallBehind(controller, chunks: 100);

        Assert.Equal(1, controller.CurrentFps);
        Assert.Equal(1, controller.Load().FloorFps);
    }

    [Fact]
    public void Lag_between_the_bounds_holds_the_rate()
    {
        var controller = Controller();
        Behind(controller, lag: 8);
        Wait(D);
        Assert.Equal(3.5, controller.CurrentFps);

        // Between 1 and 2 chunk durations (3 s .. 6 s): neither behind nor caught up.
        for (var i = 0; i < 40; i++)
        {
            Finish(controller, lag: 4.5);
            Wait(D);
        }
        Assert.Equal(3.5, controller.CurrentFps);
    }

    [Fact]
    public void A_draining_backlog_holds_the_rate_instead_of_dropping_it_further()
    {
        var controller = Controller();
        Behind(controller, lag: 11);
        Wait(D);
        Assert.Equal(3.5, controller.CurrentFps);

        // Still behind, but each chunk 1 s less late than the last: catching up.
        for (var lag = 10.0; lag > 6; lag -= 1)
        {
            Finish(controller, lag);
            Wait(D);
        }
        Assert.Equal(3.5, controller.CurrentFps);
    }

    [Fact]
    public void Recovery_waits_for_the_hold_then_climbs_in_steps_back_to_DETECT_FPS()
    {
        var controller = Controller();
        FallBehind(controller, chunks: 20);
        Assert.Equal(1, controller.CurrentFps);

        // Caught up: the hold (4 chunk durations) runs first.
        var rates = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            Finish(controller, lag: 0.8);
            Wait(D);
            rates.Add(controller.CurrentFps);
        }

        var firstRise = rates.FindIndex(r => r > 1);
        Assert.True(firstRise >= 4, $"the rate rose after {firstRise + 1} caught-up chunks, before the hold ran out: {string.Join(", ", rates)}");
        // Additive steps of a tenth of DETECT_FPS, one per chunk duration, never past DETECT_FPS.
        var steps = rates.Zip(rates.Skip(1), (a, b) => Math.Round(b - a, 2)).Where(s => s != 0).Distinct().ToList();
        Assert.Equal([0.5], steps);
        Assert.Equal(5, rates[^1]);
        Assert.All(rates, r => Assert.InRange(r, 1, 5));
    }

    [Fact]
    public async Task Admission_refuses_at_the_floor_until_the_rate_has_climbed_off_it()
    {
        var controller = Controller();

        // Lagging, but the rate is still above the floor: lowering it is the answer, not refusing.
        Behind(controller, lag: 8);
        Assert.True(controller.CurrentFps > 1);
        Assert.Null(await controller.CheckAsync());

        // At the floor and still falling behind, for longer than the hold: refused.
        FallBehind(controller, chunks: 12, startLag: 9);
        Assert.Equal(1, controller.CurrentFps);
        Assert.True(controller.Overloaded);
        var refusal = await controller.CheckAsync();
        Assert.NotNull(refusal);
        Assert.Equal("Analysis is at its floor of 1 fps on every stream; this machine cannot take another camera.", refusal.Message);
        Assert.True(refusal.RetryAfter >= TimeSpan.FromSeconds(5));
        Assert.Equal(AnalysisLoad.OverloadedState, controller.Load().State);

        // Still at the floor, but caught up: no longer overloaded, yet keeping up at the floor is no room for a camera.
        for (var i = 0; i < 3; i++)
        {
            Finish(controller, lag: 1);
            Wait(D);
        }
        Assert.Equal(1, controller.CurrentFps);
        Assert.False(controller.Overloaded);
        var atFloor = await controller.CheckAsync();
        Assert.NotNull(atFloor);
        Assert.Equal("Analysis runs at its floor of 1 fps and has not shown room for another camera; try again in 12 s.", atFloor.Message);
        Assert.Equal(TimeSpan.FromSeconds(12), atFloor.RetryAfter);

        // Caught up for a hold time: the rate climbs off the floor, which is the room shown, and a camera is let in.
        for (var i = 0; i < 3 && controller.CurrentFps <= 1; i++)
        {
            Finish(controller, lag: 1);
            Wait(D);
        }
        Assert.Equal(1.5, controller.CurrentFps);
        Assert.Null(await controller.CheckAsync());
    }

    [Fact]
    public void At_the_floor_a_draining_backlog_still_refuses_until_caught_up()
    {
        // Another camera would slow the drain, or stop it: refused while the lag is above the low bound.
        var controller = Controller();
        FallBehind(controller, chunks: 20);
        Assert.True(controller.Overloaded);

        for (var lag = 25.0; lag > 4; lag -= 1.5)
        {
            Finish(controller, lag);
            Wait(D);
            Assert.True(controller.Overloaded, $"admitted at a lag of {lag} s");
        }
        Finish(controller, lag: 1);
        Assert.Equal(1, controller.CurrentFps);
        Assert.False(controller.Overloaded);
    }

    [Fact]
    public async Task While_degraded_new_streams_are_paced_one_per_hold_time()
    {
        var controller = Controller();
        // At the full rate, cameras are welcome at once, one after another.
        Assert.Null(await controller.CheckAsync());
        Assert.Null(await controller.CheckAsync());

        Behind(controller, lag: 8); // 3 s later
        Assert.Equal(3.5, controller.CurrentFps);
        // Degraded: the camera admitted 3 s ago has not shown its load yet.
        var paced = await controller.CheckAsync();
        Assert.NotNull(paced);
        Assert.Equal("Analysis is degraded to 3.5 fps and the last camera added has not shown its load yet; try again in 9 s.", paced.Message);
        Assert.Equal(TimeSpan.FromSeconds(9), paced.RetryAfter);
        Assert.False(controller.Overloaded);

        // One hold time (4 chunk durations) after it, the next is let in, and the one after that waits a whole hold.
        Wait(9);
        Assert.Null(await controller.CheckAsync());
        Assert.Equal(TimeSpan.FromSeconds(12), (await controller.CheckAsync())!.RetryAfter);
    }

    [Fact]
    public void A_chunk_already_late_is_analysed_at_the_floor_whatever_the_rate()
    {
        var controller = Controller();
        var now = _time.GetUtcNow();
        ChunkCaptured EndedAgo(double seconds) =>
            new("cam", 0, "streams/cam/chunks/000000.ts", now - TimeSpan.FromSeconds(seconds + D), 0, D, false);

        Assert.Equal(5, controller.RateFor(EndedAgo(1)));
        Assert.Equal(5, controller.RateFor(EndedAgo(11))); // under twice the high bound (2 x 6 s)
        Assert.Equal(1, controller.RateFor(EndedAgo(13)));
        Assert.Equal(5, controller.CurrentFps); // the rate itself is untouched
    }

    [Fact]
    public void After_a_quiet_spell_the_rate_starts_again_from_DETECT_FPS()
    {
        var controller = Controller();
        FallBehind(controller, chunks: 20);
        Assert.True(controller.Overloaded);

        Wait(2 * 4 * D + 1);

        Assert.Equal(5, controller.CurrentFps);
        Assert.False(controller.Overloaded);
    }

    [Fact]
    public void A_floor_at_DETECT_FPS_keeps_the_rate_and_still_refuses_when_behind()
    {
        var controller = Controller(new AnalysisRateOptions { MaxFps = 2, MinFps = 5 });
        FallBehind(controller, chunks: 10);

        Assert.Equal(2, controller.CurrentFps);
        Assert.Equal(2, controller.Load().FloorFps);
        Assert.True(controller.Overloaded);
    }

    [Fact]
    public void Redelivered_chunks_do_not_count_twice()
    {
        var controller = Controller();
        var end = _time.GetUtcNow() - TimeSpan.FromSeconds(1);
        var chunk = new ChunkCaptured("cam", 5, "streams/cam/chunks/000005.ts", end - TimeSpan.FromSeconds(D), 15, D, false);
        controller.Completed(chunk);
        Wait(10);
        controller.Completed(chunk); // 11 s late now, but it is the same chunk

        Assert.Equal(0, controller.Load().LagSeconds);
    }

    // ---- the controller in a loop with a model of the pipeline ----

    /// <summary>
    /// A discrete-event model of Inference: <paramref name="streams"/> live cameras whose chunks of D seconds arrive
    /// together, two chunks in work at once, a chunk taking <paramref name="fixedCost"/> (decode, draw, encode) plus
    /// <paramref name="frameCost"/> per analysed frame. Returns the lags and rates of the chunks finished after
    /// <paramref name="settle"/> seconds.
    /// </summary>
    private (List<double> Lags, List<double> Rates) Simulate(AnalysisRateController controller, Func<double, int> streams,
        double fixedCost, double frameCost, double seconds, double settle = 0, double[]? arrivalsAt = null)
    {
        var start = _time.GetUtcNow();
        double Now() => (_time.GetUtcNow() - start).TotalSeconds;
        var waiting = new Queue<ChunkCaptured>();
        var running = new List<(double At, ChunkCaptured Chunk, double Rate)>();
        var lags = new List<double>();
        var rates = new List<double>();
        var round = 0;
        void StartWork()
        {
            while (running.Count < 2 && waiting.TryDequeue(out var next))
            {
                var rate = controller.RateFor(next);
                running.Add((Now() + fixedCost + frameCost * rate * D, next, rate));
            }
        }
        while (Now() < seconds)
        {
            var nextArrival = (round + 1) * D + 0.2; // the chunk's last frame, plus capture and storing
            var nextDone = running.Count > 0 ? running.Min(r => r.At) : double.MaxValue;
            var at = Math.Min(nextArrival, nextDone);
            _time.Advance(TimeSpan.FromSeconds(at - Now()));
            if (nextDone <= nextArrival)
            {
                var done = running.First(r => r.At == nextDone);
                running.Remove(done);
                controller.Completed(done.Chunk, done.Rate);
                if (Now() >= settle)
                {
                    lags.Add((_time.GetUtcNow() - done.Chunk.Start).TotalSeconds - D);
                    rates.Add(controller.CurrentFps);
                }
            }
            else
            {
                for (var s = 0; s < streams(Now()); s++)
                    waiting.Enqueue(new ChunkCaptured($"cam{s}", round, "k", start + TimeSpan.FromSeconds(round * D), round * D, D, false));
                round++;
            }
            StartWork();
        }
        if (lags.Count > 0)
            output.WriteLine($"{lags.Count} chunks: lag {lags.Min():F1} .. {lags.Max():F1} s, rate {rates.Min()} .. {rates.Max()} fps (mean {rates.Average():F2}, last {rates[^1]})");
        return (lags, rates);
    }

    [Fact]
    public void In_a_loop_with_a_pipeline_that_can_keep_up_at_a_lower_rate_lag_stays_bounded()
    {
        var controller = Controller(LoopOptions);
        // 8 cameras: at 5 fps a round of chunks takes 8.4 s of work on 2 slots for 3 s of video; at 2.5 fps or less it fits.
        var (lags, rates) = Simulate(controller, _ => 8, fixedCost: 0.3, frameCost: 0.05, seconds: 600, settle: 300);

        // Bounded: the high bound (2 chunk durations) on top of the wait behind the round's other chunks, and not growing.
        Assert.True(lags.Max() < 4 * D, $"lag reached {lags.Max():F1} s after settling");
        var third = lags.Count / 3;
        Assert.True(lags.TakeLast(third).Max() <= lags.Skip(third).Take(third).Max() + 1, "lag still growing");
        Assert.InRange(rates.Average(), 1, 3.5);
        Assert.False(controller.Overloaded);
    }

    [Fact]
    public void In_a_loop_without_the_controller_the_same_pipeline_falls_behind_without_limit()
    {
        // The same model at a fixed 5 fps (floor = DETECT_FPS): the lag grows with every round.
        var controller = Controller(LoopOptions with { MinFps = 5 });
        var (lags, _) = Simulate(controller, _ => 8, fixedCost: 0.3, frameCost: 0.05, seconds: 300, settle: 0);

        Assert.True(lags[^1] > 60 && lags[^1] > lags[lags.Count / 2] + 30, $"lag only reached {lags[^1]:F1} s");
        Assert.True(controller.Overloaded);
    }

    [Fact]
    public async Task In_a_loop_with_a_pipeline_too_slow_even_at_the_floor_new_streams_are_refused()
    {
        var controller = Controller(LoopOptions);
        // 8 cameras at 0.8 s of fixed work per chunk: 6.4 s per 3 s round on 2 slots, whatever the rate.
        var (_, rates) = Simulate(controller, _ => 8, fixedCost: 0.8, frameCost: 0.05, seconds: 200, settle: 100);

        Assert.All(rates, r => Assert.Equal(1, r));
        Assert.True(controller.Overloaded);
        Assert.NotNull(await controller.CheckAsync());
    }

    [Fact]
    public void In_a_loop_when_cameras_leave_the_rate_climbs_back_to_DETECT_FPS()
    {
        var controller = Controller(LoopOptions);
        var (_, rates) = Simulate(controller, t => t < 200 ? 8 : 2, fixedCost: 0.3, frameCost: 0.05, seconds: 500, settle: 150);

        Assert.True(rates.Min() < 5);
        Assert.Equal(5, rates[^1]);
        Assert.False(controller.Overloaded);
    }
}
