using Dapr;
using Grpc.Core;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// How a failed <c>bindings.aws.s3</c> call through daprd is read. daprd reports every binding error as gRPC
/// <c>Internal</c> "error invoking output binding {name}: {component message}" (dapr pkg/api/grpc/grpc.go), so the
/// kind of failure is in the text.
/// </summary>
internal static class ObjectStoreFailure
{
    /// <summary>The S3 binding's message for a missing key (components-contrib bindings/aws/s3/s3.go, NoSuchKey).</summary>
    private const string ObjectNotFound = "object not found";

    /// <summary>An ordinary miss, not a failure: never retried, never counted against the store.</summary>
    public static bool IsNotFound(DaprException e) =>
        Rpc(e) is { } rpc
        && (rpc.Status.Detail.Contains(ObjectNotFound, StringComparison.OrdinalIgnoreCase)
            // Bindings before the mapping reported the raw S3 code.
            || rpc.Status.Detail.Contains("NoSuchKey", StringComparison.Ordinal));

    /// <summary>
    /// Worth another attempt: the sidecar, the binding or RGW may answer next time. Not: a miss, a request over the
    /// sidecar's body limit, a refused token, a binding that is not configured.
    /// A "circuit breaker is open" answer (a Resiliency breaker on the binding) is transient: the breaker half-opens.
    /// </summary>
    public static bool IsTransient(Exception exception) =>
        exception is DaprException e && !IsNotFound(e) && Rpc(e) is { } rpc
        && rpc.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.Unknown => true,
            StatusCode.Internal => !rpc.Status.Detail.Contains("couldn't find output binding", StringComparison.Ordinal)
                && !rpc.Status.Detail.Contains("does not support operation", StringComparison.Ordinal),
            _ => false,
        };

    /// <summary>daprd caps gRPC messages both ways at its max body size (dapr pkg/api/grpc/server.go).</summary>
    public static bool IsTooLarge(DaprException e) => Rpc(e)?.StatusCode == StatusCode.ResourceExhausted;

    public static IOException Describe(string binding, string operation, string key, int bytes, DaprException e)
    {
        if (IsTooLarge(e))
            return new IOException(
                $"Object store '{binding}' {operation} '{key}' ({bytes} bytes) is larger than the Dapr sidecar accepts: raise " +
                "maxBodySize in dapr.yaml or the dapr.io/max-body-size annotation (daprd's default is 4Mi). " +
                $"Sidecar said: {Rpc(e)!.Status.Detail}", e);
        var detail = Rpc(e) is { } rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
        return new IOException($"Object store '{binding}' {operation} '{key}' failed: {detail}", e);
    }

    private static RpcException? Rpc(DaprException e) => e.InnerException as RpcException;
}
