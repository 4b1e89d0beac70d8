using DaprVideo.Onnx;

namespace DaprVideo.Tests.TestSupport;

/// <summary>One real ONNX detector (the shipped model) shared by a test class: loading takes ~1 s.</summary>
public sealed class DetectorFixture : IDisposable
{
    public OnnxObjectDetector Detector { get; } = new(new OnnxDetectorOptions { ModelPath = RepoPaths.Model, IntraOpThreads = 2 });

    public void Dispose() => Detector.Dispose();
}
