namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// The consumer's per-message retry back-off: dapr/kit retry/retry.go Config (metadata prefix "backOff"),
/// DefaultConfig = constant 5 s, maxRetries −1 (forever); exponential uses cenkalti/backoff v4's
/// ExponentialBackOff (initial 500 ms, ×1.5, ±50 % jitter, max 60 s, stop after 15 min elapsed).
/// </summary>
public sealed class KafkaBackOff
{
    public bool Exponential { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public double RandomizationFactor { get; init; } = 0.5;

    public double Multiplier { get; init; } = 1.5;

    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan MaxElapsedTime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Retries after the first attempt; −1 = no limit.</summary>
    public long MaxRetries { get; init; } = -1;

    /// <summary>A fresh schedule for one message (RetryNotify resets the back-off before the first attempt).</summary>
    internal Schedule Start(TimeProvider time) => new(this, time);

    internal sealed class Schedule(KafkaBackOff config, TimeProvider time)
    {
        private readonly long _started = time.GetTimestamp();
        private TimeSpan _current = config.InitialInterval;
        private long _retries;

        /// <summary>The wait before the next attempt, or null to stop (backoff.Stop).</summary>
        public TimeSpan? Next()
        {
            if (config.MaxRetries >= 0 && _retries >= config.MaxRetries) return null;
            _retries++;
            if (!config.Exponential) return config.Duration;

            var elapsed = time.GetElapsedTime(_started);
            var delta = config.RandomizationFactor * _current.TotalMilliseconds;
            var min = _current.TotalMilliseconds - delta;
            var wait = TimeSpan.FromMilliseconds(min + (Random.Shared.NextDouble() * ((2 * delta) + 1)));
            _current = _current.TotalMilliseconds >= config.MaxInterval.TotalMilliseconds / config.Multiplier
                ? config.MaxInterval
                : TimeSpan.FromMilliseconds(_current.TotalMilliseconds * config.Multiplier);
            if (config.MaxElapsedTime != TimeSpan.Zero && elapsed + wait > config.MaxElapsedTime) return null;
            return wait;
        }
    }
}
