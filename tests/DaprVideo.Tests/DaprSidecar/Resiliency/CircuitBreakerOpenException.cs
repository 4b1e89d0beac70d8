namespace DaprVideo.Tests.DaprSidecar.Resiliency;

/// <summary>
/// A call the circuit breaker refused without running it: "circuit breaker is open" while open, "too many requests"
/// when half-open and its <c>maxRequests</c> trial calls are already taken (sony/gobreaker v0.5.0 ErrOpenState /
/// ErrTooManyRequests, re-exported by dapr/dapr pkg/resiliency/breaker/circuitbreaker.go). Inside a retry policy daprd
/// treats both as permanent: the retry loop ends at once (pkg/resiliency/policy.go).
/// </summary>
public sealed class CircuitBreakerOpenException : Exception
{
    public const string OpenMessage = "circuit breaker is open";
    public const string TooManyRequestsMessage = "too many requests";

    public CircuitBreakerOpenException() : this(OpenMessage) { }

    public CircuitBreakerOpenException(string message) : base(message) { }

    public CircuitBreakerOpenException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>True for "too many requests" (half-open and full), false for "circuit breaker is open".</summary>
    public bool TooManyRequests => Message == TooManyRequestsMessage;
}
