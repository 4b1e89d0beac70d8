using DaprVideo.ModelConverter.TensorFlow;

namespace DaprVideo.ModelConverter;

/// <summary>
/// What a TF tensor became in the ONNX graph: either a TF constant not yet written (it is
/// materialised per use, because a per-channel vector needs a different shape next to an NCHW
/// feature map than elsewhere), or an ONNX value. <see cref="IsNchw"/> marks 4-D feature maps
/// that TF holds as NHWC but the ONNX graph keeps as NCHW, so Conv needs no transposes.
/// </summary>
internal sealed record ConvertedValue(string? OnnxName, bool IsNchw, TfTensor? Constant)
{
    public static ConvertedValue Of(TfTensor constant) => new(null, false, constant);

    public static ConvertedValue Tf(string onnxName) => new(onnxName, false, null);

    public static ConvertedValue Nchw(string onnxName) => new(onnxName, true, null);

    public bool IsConstant => Constant is not null;
}
