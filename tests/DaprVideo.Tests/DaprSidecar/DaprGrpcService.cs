using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// The daprd gRPC methods DaprClient calls here (publish, output binding, secrets). Dapr.Protos ships only the client stub, so the server
/// methods are described by hand (<see cref="DaprGrpcMethodProvider"/>) with the package's message types.
/// </summary>
public sealed class DaprGrpcService(DaprSidecarStandIn sidecar)
{
    public async Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        sidecar.CheckApiToken(context);
        if (!sidecar.PubsubNames.Contains(request.PubsubName))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {request.PubsubName} is not found"));
        if (string.IsNullOrEmpty(request.Topic))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"topic is empty in pubsub {request.PubsubName}"));

        var envelope = CloudEventEnvelope.Create(
            sidecar.AppId, request.PubsubName, request.Topic, request.Data.ToByteArray(), request.DataContentType,
            request.Metadata, context.RequestHeaders.GetValue("traceparent"), context.RequestHeaders.GetValue("tracestate"));
        if (sidecar.PubSubs is not { } pubsubs)
        {
            sidecar.PubSub.Publish(request.PubsubName, request.Topic, envelope);
            return new Empty();
        }

        // daprd (pkg/api/universal, pkg/runtime/pubsub): topic scopes first, then the component's Publish under
        // its outbound policy; a failure is codes.Internal "error when publish to topic X in pubsub Y: ...".
        var pubsub = pubsubs[request.PubsubName];
        if (!pubsub.Rules.MayPublish(sidecar.AppId, request.Topic))
            throw new RpcException(new Status(StatusCode.PermissionDenied, pubsub.Rules.PublishDeniedMessage(sidecar.AppId, request.Topic)));
        var bytes = System.Text.Encoding.UTF8.GetBytes(envelope.ToJsonString());
        var metadata = request.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        try
        {
            await RunAsync(sidecar.Resiliency.ComponentOutbound(request.PubsubName), async ct =>
            {
                await pubsub.Broker.PublishAsync(request.Topic, bytes, metadata, ct);
                return true;
            }, context.CancellationToken);
        }
        catch (Exception e) when (e is not RpcException && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"error when publishing to topic {request.Topic} in pubsub {request.PubsubName}: {e.Message}"));
        }
        sidecar.RecordPublished(new PublishedEvent(request.PubsubName, request.Topic, (string?)envelope["id"] ?? "", bytes));
        return new Empty();
    }

    public async Task<InvokeBindingResponse> InvokeBinding(InvokeBindingRequest request, ServerCallContext context)
    {
        sidecar.CheckApiToken(context);
        if (sidecar.OutputBinding(request.Name) is not { } binding)
            throw new RpcException(new Status(StatusCode.Internal,
                $"error invoking output binding {request.Name}: couldn't find output binding {request.Name}"));
        try
        {
            // dapr pkg/runtime/processor/binding/send.go: every call runs under the component's outbound policy.
            var data = request.Data.ToByteArray();
            var (result, metadata) = await RunAsync(sidecar.Resiliency.ComponentOutbound(request.Name),
                ct => binding.InvokeAsync(request.Operation, data, request.Metadata, ct), context.CancellationToken);
            var response = new InvokeBindingResponse { Data = ByteString.CopyFrom(result) };
            response.Metadata.Add(metadata);
            return response;
        }
        catch (Exception e) when (e is not RpcException && !context.CancellationToken.IsCancellationRequested)
        {
            // daprd: codes.Internal, "error invoking output binding %s: %s" (pkg/messages/predefined.go).
            throw new RpcException(new Status(StatusCode.Internal, $"error invoking output binding {request.Name}: {e.Message}"));
        }
    }

    /// <summary>dapr pkg/api/universal/secrets.go <c>GetSecret</c>; an APIError becomes its gRPC code and message.</summary>
    public Task<GetSecretResponse> GetSecret(GetSecretRequest request, ServerCallContext context)
    {
        sidecar.CheckApiToken(context);
        try
        {
            var response = new GetSecretResponse();
            foreach (var (k, v) in sidecar.Secrets.Get(request.StoreName, request.Key)) response.Data[k] = v;
            return Task.FromResult(response);
        }
        catch (SecretApiException e)
        {
            throw new RpcException(new Status(e.GrpcCode, e.Message));
        }
    }

    public Task<GetBulkSecretResponse> GetBulkSecret(GetBulkSecretRequest request, ServerCallContext context)
    {
        sidecar.CheckApiToken(context);
        try
        {
            var response = new GetBulkSecretResponse();
            foreach (var (name, data) in sidecar.Secrets.Bulk(request.StoreName))
            {
                var secret = new SecretResponse();
                foreach (var (k, v) in data) secret.Secrets[k] = v;
                response.Data[name] = secret;
            }
            return Task.FromResult(response);
        }
        catch (SecretApiException e)
        {
            throw new RpcException(new Status(e.GrpcCode, e.Message));
        }
    }

    private static Task<T> RunAsync<T>(Resiliency.ResiliencyPolicy? policy, Func<CancellationToken, Task<T>> operation, CancellationToken ct) =>
        policy is null ? operation(ct) : policy.RunAsync(operation, ct);
}

/// <summary>Registers the hand-written method descriptors with ASP.NET Core gRPC.</summary>
public sealed class DaprGrpcMethodProvider : IServiceMethodProvider<DaprGrpcService>
{
    private const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    private static readonly Method<PublishEventRequest, Empty> PublishEventMethod =
        new(MethodType.Unary, ServiceName, "PublishEvent", Marshal(PublishEventRequest.Parser), Marshal(Empty.Parser));

    private static readonly Method<InvokeBindingRequest, InvokeBindingResponse> InvokeBindingMethod =
        new(MethodType.Unary, ServiceName, "InvokeBinding", Marshal(InvokeBindingRequest.Parser), Marshal(InvokeBindingResponse.Parser));

    private static readonly Method<GetSecretRequest, GetSecretResponse> GetSecretMethod =
        new(MethodType.Unary, ServiceName, "GetSecret", Marshal(GetSecretRequest.Parser), Marshal(GetSecretResponse.Parser));

    private static readonly Method<GetBulkSecretRequest, GetBulkSecretResponse> GetBulkSecretMethod =
        new(MethodType.Unary, ServiceName, "GetBulkSecret", Marshal(GetBulkSecretRequest.Parser), Marshal(GetBulkSecretResponse.Parser));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<DaprGrpcService> context)
    {
        context.AddUnaryMethod(GetSecretMethod, [], (service, request, call) => service.GetSecret(request, call));
        context.AddUnaryMethod(GetBulkSecretMethod, [], (service, request, call) => service.GetBulkSecret(request, call));
        context.AddUnaryMethod(PublishEventMethod, [], (service, request, call) => service.PublishEvent(request, call));
        context.AddUnaryMethod(InvokeBindingMethod, [], (service, request, call) => service.InvokeBinding(request, call));
    }

    private static Marshaller<T> Marshal<T>(MessageParser<T> parser) where T : IMessage<T> =>
        Marshallers.Create(m => m.ToByteArray(), parser.ParseFrom);
}
