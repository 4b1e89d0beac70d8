using Microsoft.ML.OnnxRuntime;

namespace DaprVideo.Tests.Onnx;

/// <summary>
/// One ONNX Runtime session over the shipped model, shared by the model tests (loading it
/// takes longer than a run). Runs a uint8 NHWC batch and returns both outputs as flat arrays.
/// </summary>
public sealed class DetectorModelSession : IDisposable
{
    public const int Size = 300;
    public const int FrameBytes = Size * Size * 3;
    public const int Anchors = 1917;
    public const int Classes = 90;

    public DetectorModelSession()
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        Session = new InferenceSession(RepoPaths.Model, options);
    }

    public InferenceSession Session { get; }

    public ModelOutput Run(params byte[][] frames)
    {
        var batch = new byte[frames.Length * FrameBytes];
        for (var k = 0; k < frames.Length; k++)
        {
            Assert.Equal(FrameBytes, frames[k].Length);
            frames[k].CopyTo(batch, k * FrameBytes);
        }

        using var input = OrtValue.CreateTensorValueFromMemory(batch, [frames.Length, Size, Size, 3]);
        using var runOptions = new RunOptions();
        using var outputs = Session.Run(runOptions, ["image"], [input], ["scores", "boxes"]);
        var scores = outputs[0];
        var boxes = outputs[1];
        return new ModelOutput(
            scores.GetTensorDataAsSpan<float>().ToArray(),
            scores.GetTensorTypeAndShape().Shape,
            boxes.GetTensorDataAsSpan<float>().ToArray(),
            boxes.GetTensorTypeAndShape().Shape);
    }

    public void Dispose() => Session.Dispose();
}

/// <summary>Flat copies of the two output tensors with their shapes.</summary>
public sealed record ModelOutput(float[] Scores, long[] ScoresShape, float[] Boxes, long[] BoxesShape)
{
    public ReadOnlySpan<float> ScoresOf(int frame) =>
        Scores.AsSpan(frame * DetectorModelSession.Anchors * DetectorModelSession.Classes,
            DetectorModelSession.Anchors * DetectorModelSession.Classes);

    public ReadOnlySpan<float> BoxesOf(int frame) =>
        Boxes.AsSpan(frame * DetectorModelSession.Anchors * 4, DetectorModelSession.Anchors * 4);
}
