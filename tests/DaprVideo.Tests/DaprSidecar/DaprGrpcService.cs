using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// The two daprd gRPC methods DaprClient calls here. Dapr.Protos ships only the client stub, so the server
/// methods are described by hand (<see cref="DaprGrpcMethodProvider"/>) with the package's message types.
/// </summary>
public sealed class DaprGrpcService(DaprSidecarStandIn sidecar)
{
    public Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        sidecar.CheckApiToken(context);
        if (!sidecar.PubsubNames.Contains(request.PubsubName))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {request.PubsubName} is not found"));
        if (string.IsNullOrEmpty(request.Topic))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"topic is empty in pubsub {request.PubsubName}"));

        var envelope = CloudEventEnvelope.Create(
            sidecar.AppId, request.PubsubName, request.Topic, request.Data.ToByteArray(), request.DataContentType,
            request.Metadata, context.RequestHeaders.GetValue("traceparent"), context.RequestHeaders.GetValue("tracestate"));
        sidecar.PubSub.Publish(request.PubsubName, request.Topic, envelope);
        return Task.FromResult(new Empty());
    }

    public async Task<InvokeBindingResponse> InvokeBinding(InvokeBindingRequest request, ServerCallContext context)
    {
        sidecar.CheckApiToken(context);
        if (!sidecar.Bindings.TryGetValue(request.Name, out var binding))
            throw new RpcException(new Status(StatusCode.Internal,
                $"error invoking output binding {request.Name}: couldn't find output binding {request.Name}"));
        try
        {
            var (data, metadata) = await binding.InvokeAsync(request.Operation, request.Data.ToByteArray(), request.Metadata, context.CancellationToken);
            var response = new InvokeBindingResponse { Data = ByteString.CopyFrom(data) };
            response.Metadata.Add(metadata);
            return response;
        }
        catch (BindingException e)
        {
            // daprd: codes.Internal, "error invoking output binding %s: %s".
            throw new RpcException(new Status(StatusCode.Internal, $"error invoking output binding {request.Name}: {e.Message}"));
        }
    }
}

/// <summary>Registers the hand-written method descriptors with ASP.NET Core gRPC.</summary>
public sealed class DaprGrpcMethodProvider : IServiceMethodProvider<DaprGrpcService>
{
    private const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    private static readonly Method<PublishEventRequest, Empty> PublishEventMethod =
        new(MethodType.Unary, ServiceName, "PublishEvent", Marshal(PublishEventRequest.Parser), Marshal(Empty.Parser));

    private static readonly Method<InvokeBindingRequest, InvokeBindingResponse> InvokeBindingMethod =
        new(MethodType.Unary, ServiceName, "InvokeBinding", Marshal(InvokeBindingRequest.Parser), Marshal(InvokeBindingResponse.Parser));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<DaprGrpcService> context)
    {
        context.AddUnaryMethod(PublishEventMethod, [], (service, request, call) => service.PublishEvent(request, call));
        context.AddUnaryMethod(InvokeBindingMethod, [], (service, request, call) => service.InvokeBinding(request, call));
    }

    private static Marshaller<T> Marshal<T>(MessageParser<T> parser) where T : IMessage<T> =>
        Marshallers.Create(m => m.ToByteArray(), parser.ParseFrom);
}
