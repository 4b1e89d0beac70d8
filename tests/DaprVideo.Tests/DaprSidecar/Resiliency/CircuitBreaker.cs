namespace DaprVideo.Tests.DaprSidecar.Resiliency;

/// <summary>
/// One circuit breaker instance, modelled on sony/gobreaker v0.5.0 (gobreaker.go, the version dapr/dapr's go.mod pins)
/// as configured by dapr/dapr pkg/resiliency/breaker/circuitbreaker.go:
/// <list type="bullet">
/// <item>Closed: every call runs; a failure updates the counts and, if the trip expression holds, opens the breaker.
/// With <c>interval</c> &gt; 0 the counts are cleared when an interval (measured from the last clearing, not sliding)
/// has passed; interval 0 never clears them while closed.</item>
/// <item>Open: calls fail at once with "circuit breaker is open" until <c>timeout</c> (≤ 0 means 60 s) has passed —
/// strictly after, as gobreaker compares <c>expiry.Before(now)</c> — then the breaker is half-open.</item>
/// <item>Half-open: at most <c>maxRequests</c> (0 means 1) calls are let through, others get "too many requests";
/// one failure re-opens it, <c>maxRequests</c> consecutive successes close it.</item>
/// </list>
/// Every state change clears the counts and starts a new generation; a result reported for an older generation is
/// ignored. State is evaluated lazily from the <see cref="TimeProvider"/> clock like gobreaker does with time.Now.
/// </summary>
public sealed class CircuitBreaker
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Func<BreakerCounts, bool> _readyToTrip;
    private CircuitBreakerState _state = CircuitBreakerState.Closed;
    private ulong _generation;
    private BreakerCounts _counts;
    private DateTimeOffset? _expiry;

    public CircuitBreaker(string name, uint maxRequests, TimeSpan interval, TimeSpan timeout, TripExpression? trip, TimeProvider time)
    {
        Name = name;
        Trip = trip;
        MaxRequests = maxRequests == 0 ? 1 : maxRequests;
        Interval = interval <= TimeSpan.Zero ? TimeSpan.Zero : interval;
        Timeout = timeout <= TimeSpan.Zero ? DefaultTimeout : timeout;
        // No trip expression: gobreaker's default ReadyToTrip, consecutiveFailures > 5.
        _readyToTrip = trip is null ? c => c.ConsecutiveFailures > 5 : trip.Evaluate;
        _time = time;
        lock (_gate) ToNewGeneration(_time.GetUtcNow());
    }

    /// <summary>daprd names a component's breaker "&lt;template&gt;-&lt;component&gt;".</summary>
    public string Name { get; }

    /// <summary>Trial calls let through while half-open (and successes needed to close).</summary>
    public uint MaxRequests { get; }

    /// <summary>Closed-state period after which the counts are cleared; zero = never.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How long the breaker stays open before it lets trial calls through.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The trip expression, or null for gobreaker's default (<c>consecutiveFailures &gt; 5</c>).</summary>
    public TripExpression? Trip { get; }

    /// <summary>Current state (reading it may move open to half-open, as gobreaker's State() does).</summary>
    public CircuitBreakerState State
    {
        get { lock (_gate) return CurrentState(_time.GetUtcNow()).State; }
    }

    public BreakerCounts Counts
    {
        get { lock (_gate) return _counts; }
    }

    /// <summary>gobreaker beforeRequest: admits the call (returns its generation) or throws the breaker error.</summary>
    public ulong BeforeRequest()
    {
        lock (_gate)
        {
            var (state, generation) = CurrentState(_time.GetUtcNow());
            if (state == CircuitBreakerState.Open)
                throw new CircuitBreakerOpenException(CircuitBreakerOpenException.OpenMessage);
            if (state == CircuitBreakerState.HalfOpen && _counts.Requests >= MaxRequests)
                throw new CircuitBreakerOpenException(CircuitBreakerOpenException.TooManyRequestsMessage);
            _counts = _counts with { Requests = _counts.Requests + 1 };
            return generation;
        }
    }

    /// <summary>gobreaker afterRequest: any error counts as a failure (default IsSuccessful is err == nil).</summary>
    public void AfterRequest(ulong generation, bool success)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var (state, current) = CurrentState(now);
            if (current != generation) return;
            if (success) OnSuccess(state, now);
            else OnFailure(state, now);
        }
    }

    private void OnSuccess(CircuitBreakerState state, DateTimeOffset now)
    {
        if (state == CircuitBreakerState.Open) return;
        _counts = _counts with
        {
            TotalSuccesses = _counts.TotalSuccesses + 1,
            ConsecutiveSuccesses = _counts.ConsecutiveSuccesses + 1,
            ConsecutiveFailures = 0,
        };
        if (state == CircuitBreakerState.HalfOpen && _counts.ConsecutiveSuccesses >= MaxRequests)
            SetState(CircuitBreakerState.Closed, now);
    }

    private void OnFailure(CircuitBreakerState state, DateTimeOffset now)
    {
        switch (state)
        {
            case CircuitBreakerState.Closed:
                _counts = _counts with
                {
                    TotalFailures = _counts.TotalFailures + 1,
                    ConsecutiveFailures = _counts.ConsecutiveFailures + 1,
                    ConsecutiveSuccesses = 0,
                };
                if (_readyToTrip(_counts)) SetState(CircuitBreakerState.Open, now);
                break;
            case CircuitBreakerState.HalfOpen:
                SetState(CircuitBreakerState.Open, now);
                break;
        }
    }

    private (CircuitBreakerState State, ulong Generation) CurrentState(DateTimeOffset now)
    {
        switch (_state)
        {
            case CircuitBreakerState.Closed when _expiry is { } closedExpiry && closedExpiry < now:
                ToNewGeneration(now);
                break;
            case CircuitBreakerState.Open when _expiry is { } openExpiry && openExpiry < now:
                SetState(CircuitBreakerState.HalfOpen, now);
                break;
        }
        return (_state, _generation);
    }

    private void SetState(CircuitBreakerState state, DateTimeOffset now)
    {
        if (_state == state) return;
        _state = state;
        ToNewGeneration(now);
    }

    private void ToNewGeneration(DateTimeOffset now)
    {
        _generation++;
        _counts = default;
        _expiry = _state switch
        {
            CircuitBreakerState.Closed => Interval == TimeSpan.Zero ? null : now + Interval,
            CircuitBreakerState.Open => now + Timeout,
            _ => null,
        };
    }
}
