namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// An output binding component as daprd holds it (components-contrib bindings.OutputBinding: <c>Invoke</c>,
/// <c>Operations</c>). The gRPC layer runs <see cref="InvokeAsync"/> under the component's outbound Resiliency policy
/// (dapr pkg/runtime/processor/binding/send.go) and wraps a <see cref="BindingException"/> as daprd does.
/// </summary>
public interface IOutputBinding
{
    Task<(byte[] Data, IDictionary<string, string> Metadata)> InvokeAsync(
        string operation, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);
}
