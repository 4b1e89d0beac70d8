using DaprVideo.Core.Vision;
using DaprVideo.TfServing;
using Google.Protobuf;
using Tensorflow;

namespace DaprVideo.ModelServer.Serving;

/// <summary>
/// The Object Detection API signature's outputs for N frames, padded to K detections each:
/// detection_boxes [N,K,4] (ymin, xmin, ymax, xmax), detection_classes [N,K] (1-based ids as float),
/// detection_scores [N,K] (descending), num_detections [N].
/// </summary>
public sealed class DetectionOutputs
{
    public const string Boxes = "detection_boxes";
    public const string Classes = "detection_classes";
    public const string Scores = "detection_scores";
    public const string Count = "num_detections";

    /// <summary>Output aliases in the order TF Serving lists them (sorted).</summary>
    public static readonly IReadOnlyList<string> Names = [Boxes, Classes, Scores, Count];

    private DetectionOutputs(int frames, int maxDetections)
    {
        Frames = frames;
        MaxDetections = maxDetections;
        BoxValues = new float[frames * maxDetections * 4];
        ClassValues = new float[frames * maxDetections];
        ScoreValues = new float[frames * maxDetections];
        CountValues = new float[frames];
    }

    public int Frames { get; }
    public int MaxDetections { get; }
    public float[] BoxValues { get; }
    public float[] ClassValues { get; }
    public float[] ScoreValues { get; }
    public float[] CountValues { get; }

    public static DetectionOutputs From(IReadOnlyList<IReadOnlyList<Detection>> results, int maxDetections)
    {
        var outputs = new DetectionOutputs(results.Count, maxDetections);
        for (var i = 0; i < results.Count; i++)
        {
            var kept = results[i].OrderByDescending(d => d.Score).Take(maxDetections).ToArray();
            outputs.CountValues[i] = kept.Length;
            for (var j = 0; j < kept.Length; j++)
            {
                var at = i * maxDetections + j;
                var box = kept[j].Box;
                outputs.BoxValues[at * 4] = box.Y;
                outputs.BoxValues[at * 4 + 1] = box.X;
                outputs.BoxValues[at * 4 + 2] = box.Bottom;
                outputs.BoxValues[at * 4 + 3] = box.Right;
                outputs.ClassValues[at] = kept[j].ClassId;
                outputs.ScoreValues[at] = kept[j].Score;
            }
        }
        return outputs;
    }

    public float[] Values(string name) => name switch
    {
        Boxes => BoxValues,
        Classes => ClassValues,
        Scores => ScoreValues,
        Count => CountValues,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not an output of the detection signature."),
    };

    public long[] Dims(string name) => name switch
    {
        Boxes => [Frames, MaxDetections, 4],
        Classes or Scores => [Frames, MaxDetections],
        Count => [Frames],
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not an output of the detection signature."),
    };

    /// <summary>DT_FLOAT tensor in <c>float_val</c> form (TF Serving's default), or raw <c>tensor_content</c>.</summary>
    public TensorProto ToTensor(string name, bool asTensorContent)
    {
        var values = Values(name);
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = InputTensorEncoder.Shape(Dims(name)) };
        if (asTensorContent)
        {
            var bytes = new byte[values.Length * 4];
            for (var i = 0; i < values.Length; i++)
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            tensor.TensorContent = UnsafeByteOperations.UnsafeWrap(bytes);
        }
        else
        {
            tensor.FloatVal.AddRange(values);
        }
        return tensor;
    }
}
