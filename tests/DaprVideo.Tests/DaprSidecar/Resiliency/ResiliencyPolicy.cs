using System.Runtime.ExceptionServices;

namespace DaprVideo.Tests.DaprSidecar.Resiliency;

/// <summary>
/// The policy daprd applies to one component direction, and its Runner (dapr/dapr pkg/resiliency/policy.go
/// <c>NewRunnerWithOptions</c>). The layers, innermost first:
/// <list type="number">
/// <item>timeout: each attempt gets its own deadline; when it fires the attempt is abandoned (it keeps running on a
/// cancelled token) and the attempt fails with "context deadline exceeded" (<see cref="PolicyTimeoutException"/>);</item>
/// <item>circuit breaker around the timed attempt: counts its outcome; when open (or half-open and full) the attempt is
/// refused with <see cref="CircuitBreakerOpenException"/> without running;</item>
/// <item>retry loop outermost (dapr/kit retry NotifyRecoverWithData over cenkalti/backoff v4 RetryNotifyWithData): any
/// error is retried after the back-off wait, except breaker errors, which are permanent and end the loop at once.
/// When the back-off stops, the last attempt's error is returned; a cancelled caller token ends the loop with
/// <see cref="OperationCanceledException"/> (Go's ctx.Err()).</item>
/// </list>
/// Where daprd runs it: output bindings — outbound policy of the binding (pkg/runtime/processor/binding/send.go);
/// publish, including dead-letter publishes — outbound policy of the pubsub (pkg/runtime/pubsub/publisher/publisher.go);
/// delivery of a subscribed message to the app — inbound policy of the pubsub, run on context.Background() so the
/// broker's handler context does not bound it (pkg/runtime/subscription/subscription.go).
/// Not modelled: retry <c>matching</c> on status codes (service invocation / gRPC broker errors), Disposer/Accumulator,
/// metrics, log lines.
/// All waits use the <see cref="TimeProvider"/> given to <see cref="ResiliencySpec.Parse"/>.
/// </summary>
public sealed class ResiliencyPolicy
{
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private int _attempts;

    internal ResiliencyPolicy(string name, TimeSpan? timeout, RetryConfig? retry, CircuitBreaker? breaker, TimeProvider time, Func<double> random)
    {
        Name = name;
        Timeout = timeout;
        Retry = retry;
        Breaker = breaker;
        _time = time;
        _random = random;
    }

    /// <summary>daprd's policy name, e.g. "component[objectstore] output".</summary>
    public string Name { get; }

    /// <summary>Per-attempt timeout; null when the policy has none (or it is ≤ 0, which daprd ignores).</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>Retry configuration; null when no retry policy applies (one attempt).</summary>
    public RetryConfig? Retry { get; }

    /// <summary>Retries after the first attempt (-1 = no limit); null without a retry policy.</summary>
    public int? MaxRetries => Retry is null ? null : (int)Math.Clamp(Retry.MaxRetries, int.MinValue, int.MaxValue);

    /// <summary>The breaker shared by every policy of this component (daprd keys component breakers by component name).</summary>
    public CircuitBreaker? Breaker { get; }

    public CircuitBreakerState? BreakerState => Breaker?.State;

    /// <summary>Test hook: attempts actually run so far (calls the breaker refused are not counted).</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Test hook: raised when a retry wait of the given length has been armed on the clock (before it is awaited).</summary>
    public event Action<TimeSpan>? RetryScheduled;

    /// <summary>daprd's Runner: runs <paramref name="attempt"/> under timeout, breaker and retry.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (Retry is null) return await RunGuardedAsync(attempt, cancellationToken).ConfigureAwait(false);

        var backOff = Retry.NewBackOff(_time, _random);
        while (true)
        {
            ExceptionDispatchInfo failure;
            try
            {
                return await RunGuardedAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (CircuitBreakerOpenException)
            {
                throw; // backoff.Permanent: an open breaker ends the retries
            }
#pragma warning disable CA1031 // every error is retried, as daprd does
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }

            // backOffContext stops once the caller's context is done; then ctx.Err() is returned.
            var next = cancellationToken.IsCancellationRequested ? null : backOff.Next();
            if (next is null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                failure.Throw();
            }

            var wait = Task.Delay(next!.Value < TimeSpan.Zero ? TimeSpan.Zero : next.Value, _time, cancellationToken);
            RetryScheduled?.Invoke(next.Value);
            try
            {
                await wait.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw;
            }
        }
    }

    /// <summary>Convenience for attempts without a result.</summary>
    public Task RunAsync(Func<CancellationToken, Task> attempt, CancellationToken cancellationToken) =>
        RunAsync<bool>(async ct => { await attempt(ct).ConfigureAwait(false); return true; }, cancellationToken);

    // The breaker wraps the timed attempt (policy.go: def.cb.Execute(operCopy)).
    private async Task<T> RunGuardedAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        if (Breaker is null) return await RunTimedAsync(attempt, cancellationToken).ConfigureAwait(false);
        var generation = Breaker.BeforeRequest();
        T result;
        try
        {
            result = await RunTimedAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Breaker.AfterRequest(generation, success: false);
            throw;
        }
        Breaker.AfterRequest(generation, success: true);
        return result;
    }

    private async Task<T> RunTimedAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        if (Timeout is not { } timeout) return await Start(attempt, cancellationToken).ConfigureAwait(false);

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var work = Start(attempt, linked.Token);
        if (!work.IsCompleted)
        {
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (linked.Token.Register(() => stopped.TrySetResult()))
                await Task.WhenAny(work, stopped.Task).ConfigureAwait(false);
        }

        // Finished on its own (success or its own error): that is the attempt's outcome.
        if (work.IsCompleted && !(linked.IsCancellationRequested && EndedByCancellation(work)))
            return await work.ConfigureAwait(false);

        if (!work.IsCompleted) Abandon(work);
        cancellationToken.ThrowIfCancellationRequested();
        throw new PolicyTimeoutException();
    }

    private Task<T> Start<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken token)
    {
        Interlocked.Increment(ref _attempts);
        try
        {
            return attempt(token) ?? throw new InvalidOperationException("attempt returned no task");
        }
#pragma warning disable CA1031 // a synchronous throw is the attempt's error like an asynchronous one
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Task.FromException<T>(e);
        }
    }

    private static bool EndedByCancellation(Task task) =>
        task.IsCanceled || task.Exception?.InnerException is OperationCanceledException;

    // The abandoned attempt's eventual error must not surface as an unobserved task exception.
    private static void Abandon(Task task) =>
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
