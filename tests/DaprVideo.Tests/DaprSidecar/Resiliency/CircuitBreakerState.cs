namespace DaprVideo.Tests.DaprSidecar.Resiliency;

/// <summary>sony/gobreaker's states (dapr/dapr pkg/resiliency/breaker/circuitbreaker.go names them closed/open/half-open).</summary>
public enum CircuitBreakerState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>gobreaker's <c>Counts</c>: what a trip expression sees. Cleared on every state change and every closed-state interval.</summary>
public readonly record struct BreakerCounts(
    uint Requests,
    uint TotalSuccesses,
    uint TotalFailures,
    uint ConsecutiveSuccesses,
    uint ConsecutiveFailures);
