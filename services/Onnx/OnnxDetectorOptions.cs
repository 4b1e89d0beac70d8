using DaprVideo.Core.Vision;

namespace DaprVideo.Onnx;

/// <summary>Settings of the in-process ONNX Runtime detector.</summary>
public sealed record OnnxDetectorOptions
{
    /// <summary>Path of the ONNX file (the shipped model unless overridden).</summary>
    public required string ModelPath { get; init; }

    /// <summary>ONNX Runtime intra-op threads; 0 lets it use every core.</summary>
    public int IntraOpThreads { get; init; }

    public PostProcessingOptions PostProcessing { get; init; } = new();

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
            throw new ArgumentException("The detector model path is empty.");
        if (IntraOpThreads is < 0 or > 256)
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "Detector threads must be 0..256.");
        PostProcessing.Validate();
    }
}
