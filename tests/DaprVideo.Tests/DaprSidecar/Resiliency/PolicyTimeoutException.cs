namespace DaprVideo.Tests.DaprSidecar.Resiliency;

/// <summary>
/// An attempt outlived the policy's timeout. daprd's Runner wraps each attempt in <c>context.WithTimeout</c>, runs the
/// operation in a goroutine and, when the deadline fires first, returns <c>ctx.Err()</c> = <c>context.DeadlineExceeded</c>
/// ("context deadline exceeded") without waiting for the operation, which keeps running on a cancelled context
/// (dapr/dapr pkg/resiliency/policy.go). The breaker counts it as a failure and the retry loop retries it like any error.
/// Over gRPC the caller then sees e.g. "error invoking output binding objectstore: context deadline exceeded".
/// </summary>
public sealed class PolicyTimeoutException : Exception
{
    public const string DeadlineExceededMessage = "context deadline exceeded";

    public PolicyTimeoutException() : base(DeadlineExceededMessage) { }

    public PolicyTimeoutException(string message) : base(message) { }

    public PolicyTimeoutException(string message, Exception innerException) : base(message, innerException) { }
}
