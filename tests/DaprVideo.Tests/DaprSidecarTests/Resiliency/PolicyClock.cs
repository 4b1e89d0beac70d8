using System.Threading.Channels;
using DaprVideo.Tests.DaprSidecar.Resiliency;
using Microsoft.Extensions.Time.Testing;

namespace DaprVideo.Tests.DaprSidecarTests.Resiliency;

/// <summary>
/// Drives a policy run on a fake clock: each time the policy arms a retry wait (or a test attempt asks for time to
/// pass, e.g. to hit its timeout) the clock is advanced by exactly that much, so attempt times are exact.
/// Event driven: nothing waits on real time except a generous guard against a hung run.
/// </summary>
internal sealed class PolicyClock
{
    private readonly Channel<TimeSpan> _advances = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Retry waits the policy armed, in order.</summary>
    public List<TimeSpan> RetryWaits { get; } = [];

    /// <summary>Clock readings at each attempt start, recorded by <see cref="Attempt{T}"/> attempts.</summary>
    public List<DateTimeOffset> AttemptTimes { get; } = [];

    public void Watch(ResiliencyPolicy policy) => policy.RetryScheduled += wait =>
    {
        lock (RetryWaits) RetryWaits.Add(wait);
        _advances.Writer.TryWrite(wait);
    };

    /// <summary>Asks the driver to move the clock on (e.g. from an attempt that hangs until its timeout).</summary>
    public void RequestAdvance(TimeSpan by) => _advances.Writer.TryWrite(by);

    /// <summary>An attempt that records its start time, then runs <paramref name="body"/>.</summary>
    public Func<CancellationToken, Task<T>> Attempt<T>(Func<int, CancellationToken, Task<T>> body)
    {
        var n = 0;
        return ct =>
        {
            lock (AttemptTimes) AttemptTimes.Add(Time.GetUtcNow());
            return body(++n, ct);
        };
    }

    public async Task<T> DriveAsync<T>(Task<T> run)
    {
        var guard = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            while (_advances.Reader.TryRead(out var by)) Time.Advance(by);
            if (run.IsCompleted) return await run;
            if (DateTime.UtcNow > guard) throw new TimeoutException("policy run neither finished nor armed a timer");
            var more = _advances.Reader.WaitToReadAsync().AsTask();
            await Task.WhenAny(run, more).WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Drives the run and returns the exception it ended with (fails if it succeeded).</summary>
    public async Task<Exception> DriveToFailureAsync<T>(Task<T> run)
    {
        try
        {
            await DriveAsync(run);
        }
#pragma warning disable CA1031 // the failure is the result under test
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("the policy run succeeded, a failure was expected");
    }

    public List<TimeSpan> GapsBetweenAttempts()
    {
        lock (AttemptTimes) return AttemptTimes.Zip(AttemptTimes.Skip(1), (a, b) => b - a).ToList();
    }
}
