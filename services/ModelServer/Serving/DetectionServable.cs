using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tensorflow;
using Tensorflow.Serving;

namespace DaprVideo.ModelServer.Serving;

/// <summary>
/// The one model this server serves, under TF Serving's rules: a name, version 1, and the
/// Object Detection API's <c>serving_default</c> signature backed by an <see cref="IObjectDetector"/>.
/// Shared by the gRPC and REST front ends.
/// </summary>
public sealed class DetectionServable(IObjectDetector detector, ModelServerOptions options)
{
    public const long Version = 1;
    public const string SignatureName = "serving_default";
    public const string InputName = "inputs";
    public const string PredictMethod = "tensorflow/serving/predict";

    public string ModelName => options.ModelName;

    public int MaxDetections => options.MaxDetections;

    /// <summary>Throws NOT_FOUND / INVALID_ARGUMENT the way TF Serving words them.</summary>
    public void Resolve(string? name, long? version, string? label, string? signature)
    {
        if (string.IsNullOrEmpty(name))
            throw ServingException.InvalidArgument("Missing model name in request.");
        var request = version is { } v ? $"Specific({name}, {v})" : $"Latest({name})";
        if (name != ModelName || (version is { } ver && ver != Version))
            throw ServingException.NotFound($"Servable not found for request: {request}");
        if (!string.IsNullOrEmpty(label))
            throw ServingException.InvalidArgument($"Unrecognized servable version label: {label}");
        if (!string.IsNullOrEmpty(signature) && signature != SignatureName)
            throw ServingException.InvalidArgument($"Serving signature name: \"{signature}\" not found in signature def");
    }

    public void Resolve(ModelSpec? spec) =>
        Resolve(spec?.Name, spec?.Version, spec?.VersionLabel, spec?.SignatureName);

    public ModelSpec Spec(bool withSignature) => new()
    {
        Name = ModelName,
        Version = Version,
        SignatureName = withSignature ? SignatureName : "",
    };

    public async Task<DetectionOutputs> PredictAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken)
    {
        if (frames.Count == 0) throw ServingException.InvalidArgument("Input 'inputs' holds no images (batch size 0).");
        IReadOnlyList<Detection>[] results;
        try
        {
            results = await detector.DetectAsync(frames, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw ServingException.InvalidArgument(ex.Message, ex);
        }
        catch (DetectorUnavailableException ex)
        {
            throw new ServingException(StatusCode.Unavailable, ex.Message, ex);
        }
        return DetectionOutputs.From(results, MaxDetections);
    }

    public SignatureDefMap Signatures()
    {
        var signature = new SignatureDef { MethodName = PredictMethod };
        signature.Inputs[InputName] = Info("image_tensor:0", DataType.DtUint8, -1, -1, -1, 3);
        signature.Outputs[DetectionOutputs.Boxes] = Info("detection_boxes:0", DataType.DtFloat, -1, MaxDetections, 4);
        signature.Outputs[DetectionOutputs.Classes] = Info("detection_classes:0", DataType.DtFloat, -1, MaxDetections);
        signature.Outputs[DetectionOutputs.Scores] = Info("detection_scores:0", DataType.DtFloat, -1, MaxDetections);
        signature.Outputs[DetectionOutputs.Count] = Info("num_detections:0", DataType.DtFloat, -1);
        var map = new SignatureDefMap();
        map.SignatureDef[SignatureName] = signature;
        return map;
    }

    public GetModelMetadataResponse Metadata(GetModelMetadataRequest request)
    {
        Resolve(request.ModelSpec?.Name, request.ModelSpec?.Version, request.ModelSpec?.VersionLabel, signature: null);
        if (request.MetadataField.Count == 0)
            throw ServingException.InvalidArgument("GetModelMetadataRequest must specify at least one metadata_field");
        var response = new GetModelMetadataResponse { ModelSpec = Spec(withSignature: false) };
        foreach (var field in request.MetadataField)
        {
            if (field != "signature_def")
                throw ServingException.InvalidArgument($"Metadata field {field} is not supported");
            response.Metadata[field] = Any.Pack(Signatures());
        }
        return response;
    }

    public GetModelStatusResponse Status(ModelSpec? spec)
    {
        var name = spec?.Name;
        if (string.IsNullOrEmpty(name))
            throw ServingException.InvalidArgument("Missing model name in request.");
        if (name != ModelName)
            throw ServingException.NotFound($"Could not find any versions of model {name}");
        if (spec?.Version is { } v && v != Version)
            throw ServingException.NotFound($"Could not find version {v} of model {name}");
        var response = new GetModelStatusResponse();
        response.ModelVersionStatus.Add(new ModelVersionStatus
        {
            Version = Version,
            State = ModelVersionStatus.Types.State.Available,
            Status = new StatusProto { ErrorCode = Tensorflow.Error.Code.Ok, ErrorMessage = "" },
        });
        return response;
    }

    private static TensorInfo Info(string name, DataType dtype, params long[] dims) => new()
    {
        Name = name,
        Dtype = dtype,
        TensorShape = DaprVideo.TfServing.InputTensorEncoder.Shape(dims),
    };
}
