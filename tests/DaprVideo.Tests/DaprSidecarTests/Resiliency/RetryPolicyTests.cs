using DaprVideo.Tests.DaprSidecar.Resiliency;

namespace DaprVideo.Tests.DaprSidecarTests.Resiliency;

/// <summary>The retry loop of daprd's Runner on a fake clock (dapr/kit retry over cenkalti/backoff v4).</summary>
public sealed class RetryPolicyTests
{
    private static Task<int> Fail(int attempt) => Task.FromException<int>(new InvalidOperationException($"fail {attempt}"));

    [Fact]
    public async Task Constant_backoff_waits_its_duration_and_stops_after_maxRetries_with_the_last_error()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, retry: "policy: constant\nduration: 2s\nmaxRetries: 3");

        var error = await clock.DriveToFailureAsync(policy.RunAsync(clock.Attempt((n, _) => Fail(n)), CancellationToken.None));

        Assert.Equal("fail 4", error.Message);
        Assert.Equal(4, policy.Attempts);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], clock.GapsBetweenAttempts());
    }

    [Fact]
    public async Task A_success_after_failures_is_returned()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, retry: "policy: constant\nduration: 100ms\nmaxRetries: 5");

        var result = await clock.DriveAsync(policy.RunAsync(clock.Attempt((n, _) => n < 3 ? Fail(n) : Task.FromResult(42)), CancellationToken.None));

        Assert.Equal(42, result);
        Assert.Equal(3, policy.Attempts);
    }

    [Fact]
    public async Task MaxRetries_zero_runs_once()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, retry: "policy: constant\nduration: 1s\nmaxRetries: 0");

        var error = await clock.DriveToFailureAsync(policy.RunAsync(clock.Attempt((n, _) => Fail(n)), CancellationToken.None));

        Assert.Equal("fail 1", error.Message);
        Assert.Equal(1, policy.Attempts);
        Assert.Empty(clock.RetryWaits);
    }

    [Fact]
    public async Task Without_maxRetries_a_constant_policy_keeps_retrying()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, retry: "policy: constant\nduration: 1s");
        Assert.Equal(-1, policy.MaxRetries);

        var result = await clock.DriveAsync(policy.RunAsync(clock.Attempt((n, _) => n <= 200 ? Fail(n) : Task.FromResult(n)), CancellationToken.None));

        Assert.Equal(201, result);
        Assert.Equal(200, clock.RetryWaits.Count);
    }

    [Fact]
    public async Task Exponential_intervals_grow_by_1_5_from_500ms_within_the_randomization_band_and_cap_at_maxInterval()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, retry: "policy: exponential\nmaxInterval: 3s\nmaxRetries: 8");

        await clock.DriveToFailureAsync(policy.RunAsync(clock.Attempt((n, _) => Fail(n)), CancellationToken.None));

        // cenkalti/backoff: interval_k = 500ms * 1.5^k, capped at 3s once interval >= 3s/1.5; wait in [0.5, 1.5] * interval.
        double[] intervals = [0.5, 0.75, 1.125, 1.6875, 2.53125, 3, 3, 3];
        var gaps = clock.GapsBetweenAttempts();
        Assert.Equal(intervals.Length, gaps.Count);
        for (var i = 0; i < gaps.Count; i++)
        {
            Assert.InRange(gaps[i].TotalSeconds, intervals[i] * 0.5, (intervals[i] * 1.5) + 1e-6);
        }
        Assert.Equal(gaps, clock.RetryWaits);
        Assert.Equal(9, policy.Attempts);
    }

    [Fact]
    public async Task Exponential_jitter_is_seeded()
    {
        async Task<List<TimeSpan>> Waits(int seed)
        {
            var clock = new PolicyClock();
            var policy = PolicyYaml.Outbound(clock, retry: "policy: exponential\nmaxRetries: 6", seed: seed);
            await clock.DriveToFailureAsync(policy.RunAsync(clock.Attempt((n, _) => Fail(n)), CancellationToken.None));
            return clock.RetryWaits;
        }

        Assert.Equal(await Waits(1), await Waits(1));
        Assert.NotEqual(await Waits(1), await Waits(2));
    }

    [Fact]
    public async Task Exponential_without_maxRetries_gives_up_after_15_minutes_of_retrying()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, retry: "policy: exponential\nmaxInterval: 10s");
        var start = clock.Time.GetUtcNow();

        var error = await clock.DriveToFailureAsync(policy.RunAsync(clock.Attempt((n, _) => Fail(n)), CancellationToken.None));

        var elapsed = clock.Time.GetUtcNow() - start;
        Assert.StartsWith("fail ", error.Message, StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.FromMinutes(14.5), TimeSpan.FromMinutes(15));
        Assert.True(policy.Attempts > 60, $"attempts {policy.Attempts}");
    }

    [Fact]
    public async Task Cancelling_the_caller_during_a_wait_ends_the_loop()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, retry: "policy: constant\nduration: 10s");
        using var cts = new CancellationTokenSource();
        policy.RetryScheduled += _ => cts.Cancel();

        var error = await clock.DriveToFailureAsync(policy.RunAsync(clock.Attempt((n, _) => Fail(n)), cts.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(1, policy.Attempts);
    }
}
