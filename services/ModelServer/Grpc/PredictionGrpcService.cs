using DaprVideo.ModelServer.Serving;
using Grpc.Core;
using Tensorflow.Serving;

namespace DaprVideo.ModelServer.Grpc;

/// <summary><c>tensorflow.serving.PredictionService</c>: Predict and GetModelMetadata.</summary>
public sealed class PredictionGrpcService(DetectionServable servable, ModelServerOptions options) : PredictionService.PredictionServiceBase
{
    public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context) =>
        ServingCall.RunAsync(async () =>
        {
            servable.Resolve(request.ModelSpec);
            foreach (var alias in request.Inputs.Keys)
                if (alias != DetectionServable.InputName)
                    throw ServingException.InvalidArgument(
                        $"input tensor alias not found in signature: {alias}. Inputs expected to be in the set {{{DetectionServable.InputName}}}.");
            if (!request.Inputs.TryGetValue(DetectionServable.InputName, out var tensor))
                throw ServingException.InvalidArgument(
                    $"Missing input tensor alias: {DetectionServable.InputName}.");
            foreach (var alias in request.OutputFilter)
                if (!DetectionOutputs.Names.Contains(alias))
                    throw ServingException.InvalidArgument(
                        $"output tensor alias not found in signature: {alias} Outputs expected to be in the set {{{string.Join(",", DetectionOutputs.Names)}}}.");

            var frames = ImageInputDecoder.FromTensor(tensor, options.MaxDecodedBytes);
            var outputs = await servable.PredictAsync(frames, context.CancellationToken).ConfigureAwait(false);
            var response = new PredictResponse { ModelSpec = servable.Spec(withSignature: true) };
            foreach (var name in request.OutputFilter.Count > 0 ? request.OutputFilter.Distinct() : DetectionOutputs.Names)
                response.Outputs[name] = outputs.ToTensor(name, asTensorContent: false);
            return response;
        });

    public override Task<GetModelMetadataResponse> GetModelMetadata(GetModelMetadataRequest request, ServerCallContext context) =>
        ServingCall.RunAsync(() => Task.FromResult(servable.Metadata(request)));
}
