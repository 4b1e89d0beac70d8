namespace DaprVideo.Onnx;

/// <summary>
/// The tensor contract of the shipped SSDLite-MobileNetV2 COCO model
/// (models/ssdlite_mobilenet_v2_coco.onnx, made by tools/convert-model.sh).
/// </summary>
public static class SsdModel
{
    public const string FileName = "ssdlite_mobilenet_v2_coco.onnx";

    /// <summary>Input <c>image</c>: uint8 [N, 300, 300, 3], RGB, NHWC.</summary>
    public const string InputName = "image";
    public const int InputSize = 300;
    public const int Channels = 3;
    public const int InputBytesPerFrame = InputSize * InputSize * Channels;

    /// <summary>Output <c>scores</c>: float [N, 1917, 90] sigmoid scores; column j is COCO id j + 1.</summary>
    public const string ScoresName = "scores";

    /// <summary>Output <c>boxes</c>: float [N, 1917, 4] as (ymin, xmin, ymax, xmax), normalised.</summary>
    public const string BoxesName = "boxes";

    public const int AnchorCount = 1917;
    public const int ClassCount = 90;
}
