using Dapr;
using Dapr.Client;

namespace DaprVideo.Notifier;

/// <summary>
/// Sends a notification through one Dapr output binding: operation <c>create</c>, the body as data, and
/// <see cref="Notification.KeyHeader"/> as metadata. <c>create</c> because every binding we target has it:
/// <c>bindings.http</c> treats it as POST (components-contrib bindings/http/http.go <c>Invoke</c>: "For backward
/// compatibility"; a metadata key that starts with a capital letter becomes a request header, so the key arrives as
/// the <c>Idempotency-Key</c> header, and a non-2xx answer is the error "received status code N"), and
/// <c>bindings.mqtt3</c> has only it (bindings/mqtt3/mqtt.go: publishes to the component's <c>topic</c>, QoS 1, its
/// <c>retain</c>; unknown metadata is ignored). Any other binding with <c>create</c> (Kafka, RabbitMQ, SMTP ...) works too.
/// </summary>
public sealed class BindingSender(DaprClient client)
{
    public const string Operation = "create";

    /// <summary>One binding call's budget: a hanging receiver must not use up the whole delivery (daprd's inbound timeout).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    public async Task SendAsync(string binding, Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var request = new BindingRequest(binding, Operation) { Data = notification.Body };
        request.Metadata[Notification.KeyHeader] = notification.Key;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(CallTimeout);
        try
        {
            await client.InvokeBindingAsync(request, deadline.Token);
        }
        catch (DaprException e)
        {
            // daprd: "error invoking output binding webhook: received status code 500" (gRPC Internal).
            var detail = e.InnerException is Grpc.Core.RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
            throw new IOException(detail, e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"binding {binding} did not answer within {CallTimeout.TotalSeconds:F0} s");
        }
    }
}
