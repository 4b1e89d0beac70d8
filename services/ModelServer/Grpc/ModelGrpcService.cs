using DaprVideo.ModelServer.Serving;
using Grpc.Core;
using Tensorflow.Serving;

namespace DaprVideo.ModelServer.Grpc;

/// <summary><c>tensorflow.serving.ModelService/GetModelStatus</c>.</summary>
public sealed class ModelGrpcService(DetectionServable servable) : ModelService.ModelServiceBase
{
    public override Task<GetModelStatusResponse> GetModelStatus(GetModelStatusRequest request, ServerCallContext context) =>
        ServingCall.RunAsync(() => Task.FromResult(servable.Status(request.ModelSpec)));
}
