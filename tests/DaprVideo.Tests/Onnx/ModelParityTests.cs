using System.IO.Compression;
using System.Runtime.InteropServices;

namespace DaprVideo.Tests.Onnx;

/// <summary>
/// The converted ONNX model against the original TF.js graph (fixture made by
/// tools/reference/make-reference.mjs) and against the contract the detector relies on.
/// </summary>
public sealed class ModelParityTests : IClassFixture<DetectorModelSession>
{
    private readonly DetectorModelSession _model;

    public ModelParityTests(DetectorModelSession model)
    {
        _model = model;
    }

    [Fact]
    public void Model_declares_the_contract_input_and_outputs()
    {
        var input = Assert.Single(_model.Session.InputMetadata);
        Assert.Equal("image", input.Key);
        Assert.Equal(typeof(byte), input.Value.ElementType);
        Assert.Equal([-1, 300, 300, 3], input.Value.Dimensions);

        var outputs = _model.Session.OutputMetadata;
        Assert.Equal(["boxes", "scores"], outputs.Keys.Order());
        Assert.Equal(typeof(float), outputs["scores"].ElementType);
        Assert.Equal([-1, 1917, 90], outputs["scores"].Dimensions);
        Assert.Equal(typeof(float), outputs["boxes"].ElementType);
        Assert.Equal([-1, 1917, 4], outputs["boxes"].Dimensions);
    }

    [Fact]
    public void Astronaut_outputs_match_the_tfjs_reference()
    {
        var output = _model.Run(Fixture("astronaut_300x300.rgb.gz"));

        var expectedScores = MemoryMarshal.Cast<byte, float>(Fixture("astronaut_scores.f32.gz"));
        var expectedBoxes = MemoryMarshal.Cast<byte, float>(Fixture("astronaut_boxes.f32.gz"));
        Assert.Equal([1L, 1917, 90], output.ScoresShape);
        Assert.Equal([1L, 1917, 4], output.BoxesShape);
        Assert.InRange(MaxAbsDiff(expectedScores, output.Scores), 0, 1e-4);
        Assert.InRange(MaxAbsDiff(expectedBoxes, output.Boxes), 0, 1e-4);

        // The reference really sees a person (COCO id 1 = column 0) in this photo.
        var bestPerson = Enumerable.Range(0, 1917).Max(a => output.Scores[a * 90]);
        Assert.InRange(bestPerson, 0.5f, 1f);
    }

    [Fact]
    public void Batch_of_three_gives_each_frame_its_single_frame_result()
    {
        var astronaut = Fixture("astronaut_300x300.rgb.gz");
        var mirrored = Mirror(astronaut);
        var noise = new byte[DetectorModelSession.FrameBytes];
        new Random(7).NextBytes(noise);

        // The fixture frame sits in the middle so a model that only reads frame 0 would fail.
        var batch = _model.Run(mirrored, astronaut, noise);
        var single = _model.Run(astronaut);
        var singleMirrored = _model.Run(mirrored);

        Assert.Equal([3L, 1917, 90], batch.ScoresShape);
        Assert.Equal([3L, 1917, 4], batch.BoxesShape);
        Assert.InRange(MaxAbsDiff(single.ScoresOf(0), batch.ScoresOf(1)), 0, 1e-5);
        Assert.InRange(MaxAbsDiff(single.BoxesOf(0), batch.BoxesOf(1)), 0, 1e-5);
        Assert.InRange(MaxAbsDiff(singleMirrored.ScoresOf(0), batch.ScoresOf(0)), 0, 1e-5);
        Assert.InRange(MaxAbsDiff(singleMirrored.BoxesOf(0), batch.BoxesOf(0)), 0, 1e-5);
        // Different frames give different results: the batch is not one frame repeated.
        Assert.True(MaxAbsDiff(batch.ScoresOf(1), batch.ScoresOf(2)) > 0.05);
    }

    private static byte[] Fixture(string fileName)
    {
        using var file = File.OpenRead(RepoPaths.ParityFixture(fileName));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return bytes.ToArray();
    }

    /// <summary>Left-right mirror of an HWC RGB frame: same content statistics, different detections.</summary>
    private static byte[] Mirror(byte[] frame)
    {
        const int size = DetectorModelSession.Size;
        var mirrored = new byte[frame.Length];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                frame.AsSpan(((y * size) + x) * 3, 3).CopyTo(mirrored.AsSpan(((y * size) + (size - 1 - x)) * 3));
            }
        }

        return mirrored;
    }

    private static float MaxAbsDiff(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = 0f;
        for (var k = 0; k < expected.Length; k++)
        {
            max = Math.Max(max, Math.Abs(expected[k] - actual[k]));
        }

        return max;
    }
}
