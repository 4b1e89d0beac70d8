namespace DaprVideo.Tests.DaprSidecar.Resiliency;

/// <summary>Back-off kind of a retry policy (dapr/kit retry/retry.go PolicyType).</summary>
public enum RetryBackOff
{
    Constant,
    Exponential,
}

/// <summary>
/// A named retry policy, as dapr/kit retry/retry.go <c>Config</c> holds it after daprd decoded it.
/// Defaults (<c>retry.DefaultConfig()</c>, with cenkalti/backoff v4 constants): policy constant, duration 5 s,
/// initialInterval 500 ms, randomizationFactor 0.5, multiplier 1.5, maxInterval 60 s, maxElapsedTime 15 min,
/// maxRetries -1 (no limit). The Resiliency resource can only set policy, duration, maxInterval and maxRetries
/// (dapr/dapr pkg/apis/resiliency/v1alpha1/types.go <c>Retry</c>); the exponential shape is always the default one,
/// so an exponential policy without maxRetries stops after 15 minutes of retrying, a constant one never does.
/// </summary>
public sealed record RetryConfig
{
    public RetryBackOff Policy { get; init; } = RetryBackOff.Constant;

    /// <summary>Constant back-off: the wait between attempts.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public double RandomizationFactor { get; init; } = 0.5;

    public double Multiplier { get; init; } = 1.5;

    /// <summary>Caps the exponential interval before randomization (the randomized wait may exceed it by the factor).</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Exponential only: no retry is started once elapsed + next wait would exceed it (zero = no limit).</summary>
    public TimeSpan MaxElapsedTime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Retries after the first attempt; negative = no limit, 0 = a single attempt.</summary>
    public long MaxRetries { get; init; } = -1;

    /// <summary>True when the policy allows at least one retry (daprd's HasRetries).</summary>
    public bool HasRetries => MaxRetries != 0;

    /// <summary>A fresh back-off for one Runner call (dapr/kit NewBackOffWithContext; reset when the loop starts).</summary>
    internal RetryBackOffState NewBackOff(TimeProvider time, Func<double> random) => new(this, time, random);
}

/// <summary>
/// The back-off of one retry loop: cenkalti/backoff v4.3.0 ConstantBackOff or ExponentialBackOff, wrapped by
/// WithMaxRetries when maxRetries ≥ 0 (tries.go) — the order dapr/kit retry.go builds them in.
/// </summary>
internal sealed class RetryBackOffState
{
    private readonly RetryConfig _config;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly DateTimeOffset _start;
    private long _currentInterval;
    private long _tries;

    public RetryBackOffState(RetryConfig config, TimeProvider time, Func<double> random)
    {
        _config = config;
        _time = time;
        _random = random;
        _start = time.GetUtcNow();
        _currentInterval = GoDuration.FromTimeSpan(config.InitialInterval);
    }

    /// <summary>The wait before the next retry, or null for backoff.Stop.</summary>
    public TimeSpan? Next()
    {
        if (_config.MaxRetries >= 0)
        {
            if (_config.MaxRetries == 0 || _tries >= _config.MaxRetries) return null;
            _tries++;
        }
        return _config.Policy == RetryBackOff.Constant ? _config.Duration : NextExponential();
    }

    // exponential.go NextBackOff: randomize the current interval, grow it (capped), stop past MaxElapsedTime.
    private TimeSpan? NextExponential()
    {
        var elapsed = GoDuration.FromTimeSpan(_time.GetUtcNow() - _start);
        var next = Randomize(_config.RandomizationFactor, _random(), _currentInterval);
        var max = GoDuration.FromTimeSpan(_config.MaxInterval);
        _currentInterval = _currentInterval >= max / _config.Multiplier
            ? max
            : (long)(_currentInterval * _config.Multiplier);
        var maxElapsed = GoDuration.FromTimeSpan(_config.MaxElapsedTime);
        if (maxElapsed != 0 && elapsed + next > maxElapsed) return null;
        return GoDuration.ToTimeSpan(next);
    }

    private static long Randomize(double factor, double random, long interval)
    {
        if (factor == 0) return interval;
        var delta = factor * interval;
        var min = interval - delta;
        var max = interval + delta;
        return (long)(min + (random * (max - min + 1)));
    }
}
