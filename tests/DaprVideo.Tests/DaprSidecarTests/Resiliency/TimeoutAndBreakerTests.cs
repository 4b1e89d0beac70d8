using DaprVideo.Tests.DaprSidecar.Resiliency;

namespace DaprVideo.Tests.DaprSidecarTests.Resiliency;

/// <summary>Per-attempt timeout and the circuit breaker inside the retry loop (dapr/dapr pkg/resiliency/policy.go, sony/gobreaker).</summary>
public sealed class TimeoutAndBreakerTests
{
    private static Task<int> Fail(int attempt) => Task.FromException<int>(new InvalidOperationException($"fail {attempt}"));

    /// <summary>An attempt that never finishes on its own; it asks the clock to move past the timeout.</summary>
    private static Task<int> Hang(PolicyClock clock, TimeSpan timeout, List<CancellationToken> tokens, CancellationToken ct)
    {
        tokens.Add(ct);
        clock.RequestAdvance(timeout);
        return new TaskCompletionSource<int>().Task;
    }

    [Fact]
    public async Task An_attempt_that_outlives_the_timeout_fails_with_context_deadline_exceeded()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, timeout: "3s");
        var tokens = new List<CancellationToken>();
        var start = clock.Time.GetUtcNow();

        var error = await clock.DriveToFailureAsync(policy.RunAsync(clock.Attempt((_, ct) => Hang(clock, TimeSpan.FromSeconds(3), tokens, ct)), CancellationToken.None));

        Assert.IsType<PolicyTimeoutException>(error);
        Assert.Equal("context deadline exceeded", error.Message);
        Assert.Equal(TimeSpan.FromSeconds(3), clock.Time.GetUtcNow() - start);
        Assert.True(tokens.Single().IsCancellationRequested, "the abandoned attempt's token is cancelled");
    }

    [Fact]
    public async Task An_attempt_that_finishes_inside_the_timeout_succeeds()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, timeout: "3000"); // integer = milliseconds

        var result = await clock.DriveAsync(policy.RunAsync(clock.Attempt(async (_, ct) =>
        {
            var work = Task.Delay(TimeSpan.FromMilliseconds(2999), clock.Time, ct);
            clock.RequestAdvance(TimeSpan.FromMilliseconds(2999));
            await work;
            return 7;
        }), CancellationToken.None));

        Assert.Equal(7, result);
        Assert.Equal(TimeSpan.FromSeconds(3), policy.Timeout);
    }

    [Fact]
    public async Task The_timeout_applies_per_attempt_and_a_timed_out_attempt_is_retried()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, timeout: "1s", retry: "policy: constant\nduration: 2s\nmaxRetries: 2");
        var tokens = new List<CancellationToken>();

        var result = await clock.DriveAsync(policy.RunAsync(clock.Attempt((n, ct) =>
            n < 3 ? Hang(clock, TimeSpan.FromSeconds(1), tokens, ct) : Task.FromResult(n)), CancellationToken.None));

        Assert.Equal(3, result);
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)], clock.GapsBetweenAttempts()); // 1s timeout + 2s wait
    }

    [Fact]
    public async Task An_open_breaker_ends_the_retries_at_once()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock,
            retry: "policy: constant\nduration: 1s\nmaxRetries: 10",
            breaker: "maxRequests: 1\ntimeout: 30s\ntrip: consecutiveFailures >= 3");

        var error = await clock.DriveToFailureAsync(policy.RunAsync(clock.Attempt((n, _) => Fail(n)), CancellationToken.None));

        // Third failure trips the breaker; the retry after it is refused by the breaker and that is permanent.
        var open = Assert.IsType<CircuitBreakerOpenException>(error);
        Assert.Equal("circuit breaker is open", open.Message);
        Assert.Equal(3, policy.Attempts);
        Assert.Equal(3, clock.RetryWaits.Count);
        Assert.Equal(CircuitBreakerState.Open, policy.BreakerState);
    }

    [Fact]
    public async Task Timeouts_count_as_breaker_failures()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, timeout: "1s",
            retry: "policy: constant\nduration: 1s\nmaxRetries: 5",
            breaker: "trip: consecutiveFailures >= 2");
        var tokens = new List<CancellationToken>();

        var error = await clock.DriveToFailureAsync(policy.RunAsync(clock.Attempt((_, ct) => Hang(clock, TimeSpan.FromSeconds(1), tokens, ct)), CancellationToken.None));

        Assert.IsType<CircuitBreakerOpenException>(error);
        Assert.Equal(2, policy.Attempts);
    }

    [Fact]
    public async Task Open_breaker_refuses_calls_until_its_timeout_then_one_trial_call_closes_it()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, breaker: "maxRequests: 1\ntimeout: 10s\ntrip: consecutiveFailures >= 1");

        await Assert.ThrowsAsync<InvalidOperationException>(() => policy.RunAsync(_ => Fail(1), CancellationToken.None));
        Assert.Equal(CircuitBreakerState.Open, policy.BreakerState);

        clock.Time.Advance(TimeSpan.FromSeconds(10)); // gobreaker: open until strictly after expiry
        var stillOpen = await Assert.ThrowsAsync<CircuitBreakerOpenException>(() => policy.RunAsync(_ => Task.FromResult(1), CancellationToken.None));
        Assert.Equal("circuit breaker is open", stillOpen.Message);

        clock.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(CircuitBreakerState.HalfOpen, policy.BreakerState);
        var trial = new TaskCompletionSource<int>();
        var trialRun = policy.RunAsync(_ => trial.Task, CancellationToken.None);
        var tooMany = await Assert.ThrowsAsync<CircuitBreakerOpenException>(() => policy.RunAsync(_ => Task.FromResult(1), CancellationToken.None));
        Assert.Equal("too many requests", tooMany.Message);

        trial.SetResult(5);
        Assert.Equal(5, await trialRun);
        Assert.Equal(CircuitBreakerState.Closed, policy.BreakerState);
        Assert.Equal(2, policy.Attempts); // the refused calls never ran
    }

    [Fact]
    public async Task A_failed_trial_call_reopens_the_breaker()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, breaker: "timeout: 5s\ntrip: consecutiveFailures >= 1");
        await Assert.ThrowsAsync<InvalidOperationException>(() => policy.RunAsync(_ => Fail(1), CancellationToken.None));
        clock.Time.Advance(TimeSpan.FromSeconds(6));

        await Assert.ThrowsAsync<InvalidOperationException>(() => policy.RunAsync(_ => Fail(2), CancellationToken.None));

        Assert.Equal(CircuitBreakerState.Open, policy.BreakerState);
        clock.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(CircuitBreakerState.Open, policy.BreakerState); // the open period restarted at the failed trial
    }

    [Fact]
    public async Task The_interval_clears_the_counts_of_a_closed_breaker()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, breaker: "interval: 10s\ntrip: consecutiveFailures >= 3");

        for (var i = 0; i < 2; i++) await Assert.ThrowsAsync<InvalidOperationException>(() => policy.RunAsync(_ => Fail(i), CancellationToken.None));
        clock.Time.Advance(TimeSpan.FromSeconds(10) + TimeSpan.FromTicks(1));
        for (var i = 0; i < 2; i++) await Assert.ThrowsAsync<InvalidOperationException>(() => policy.RunAsync(_ => Fail(i), CancellationToken.None));
        Assert.Equal(CircuitBreakerState.Closed, policy.BreakerState);
        Assert.Equal(2u, policy.Breaker!.Counts.ConsecutiveFailures);

        await Assert.ThrowsAsync<InvalidOperationException>(() => policy.RunAsync(_ => Fail(3), CancellationToken.None));
        Assert.Equal(CircuitBreakerState.Open, policy.BreakerState);
    }

    [Fact]
    public async Task Without_an_interval_failures_accumulate_for_ever()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, breaker: "trip: totalFailures >= 3");

        for (var i = 0; i < 3; i++)
        {
            await policy.RunAsync(_ => Task.FromResult(0), CancellationToken.None); // successes do not reset totalFailures
            await Assert.ThrowsAsync<InvalidOperationException>(() => policy.RunAsync(_ => Fail(i), CancellationToken.None));
            Assert.Equal(i < 2 ? CircuitBreakerState.Closed : CircuitBreakerState.Open, policy.BreakerState);
            clock.Time.Advance(TimeSpan.FromHours(1));
        }
    }

    [Fact]
    public async Task Without_a_trip_expression_the_breaker_opens_after_more_than_five_consecutive_failures()
    {
        var clock = new PolicyClock();
        var policy = PolicyYaml.Outbound(clock, breaker: "maxRequests: 1");

        for (var i = 0; i < 5; i++) await Assert.ThrowsAsync<InvalidOperationException>(() => policy.RunAsync(_ => Fail(i), CancellationToken.None));
        Assert.Equal(CircuitBreakerState.Closed, policy.BreakerState);
        await Assert.ThrowsAsync<InvalidOperationException>(() => policy.RunAsync(_ => Fail(6), CancellationToken.None));
        Assert.Equal(CircuitBreakerState.Open, policy.BreakerState);
        Assert.Equal(TimeSpan.FromSeconds(60), policy.Breaker!.Timeout); // gobreaker's default open period
    }

    [Fact]
    public async Task The_breaker_is_shared_by_every_call_and_by_both_directions_of_a_component()
    {
        var clock = new PolicyClock();
        var spec = ResiliencySpec.Parse([PolicyYaml.Resource("""
            policies:
              circuitBreakers:
                cb:
                  trip: consecutiveFailures >= 2
              retries:
                r:
                  policy: constant
                  duration: 1s
                  maxRetries: 0
            targets:
              components:
                pubsub:
                  outbound:
                    circuitBreaker: cb
                  inbound:
                    retry: r
                    circuitBreaker: cb
            """)], clock.Time);

        var outbound = spec.ComponentOutbound("pubsub")!;
        Assert.Same(outbound, spec.ComponentOutbound("pubsub"));
        var inbound = spec.ComponentInbound("pubsub")!;
        Assert.Same(outbound.Breaker, inbound.Breaker);
        Assert.Equal("cb-pubsub", outbound.Breaker!.Name);

        await Assert.ThrowsAsync<InvalidOperationException>(() => outbound.RunAsync(_ => Fail(1), CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => inbound.RunAsync(_ => Fail(2), CancellationToken.None));

        await Assert.ThrowsAsync<CircuitBreakerOpenException>(() => outbound.RunAsync(_ => Task.FromResult(1), CancellationToken.None));
    }
}
