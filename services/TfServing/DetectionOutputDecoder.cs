using DaprVideo.Core.Vision;
using Google.Protobuf.Collections;
using Tensorflow;

namespace DaprVideo.TfServing;

/// <summary>
/// Turns the Object Detection API outputs (<c>detection_boxes</c> [N,K,4] ymin,xmin,ymax,xmax,
/// <c>detection_scores</c> [N,K], <c>detection_classes</c> [N,K] 1-based COCO ids as floats,
/// <c>num_detections</c> [N]) into detections per frame. Anything inconsistent raises
/// <see cref="InvalidDataException"/>: a half-understood reply must not become wrong boxes.
/// </summary>
internal static class DetectionOutputDecoder
{
    public const string Boxes = "detection_boxes";
    public const string Scores = "detection_scores";
    public const string Classes = "detection_classes";
    public const string Count = "num_detections";

    public static IReadOnlyList<Detection>[] Decode(MapField<string, TensorProto> outputs, int frames, float scoreThreshold)
    {
        var boxes = TensorReader.ReadFloats(Require(outputs, Boxes), Boxes);
        var scores = TensorReader.ReadFloats(Require(outputs, Scores), Scores);
        var classes = TensorReader.ReadFloats(Require(outputs, Classes), Classes);
        var counts = TensorReader.ReadFloats(Require(outputs, Count), Count);

        if (counts.Length != frames)
            throw new InvalidDataException($"{Count} has {counts.Length} entries for {frames} frames.");
        if (scores.Length % frames != 0)
            throw new InvalidDataException($"{Scores} has {scores.Length} values, not a multiple of {frames} frames.");
        var k = scores.Length / frames;
        if (classes.Length != scores.Length)
            throw new InvalidDataException($"{Classes} has {classes.Length} values, {Scores} {scores.Length}.");
        if (boxes.Length != scores.Length * 4)
            throw new InvalidDataException($"{Boxes} has {boxes.Length} values, expected {scores.Length * 4}.");

        var results = new IReadOnlyList<Detection>[frames];
        for (var i = 0; i < frames; i++)
        {
            var n = counts[i];
            if (!(n >= 0 && n <= k) || n != MathF.Floor(n))
                throw new InvalidDataException($"{Count}[{i}] = {n} is not a count within 0..{k}.");
            var list = new List<Detection>((int)n);
            for (var j = 0; j < (int)n; j++)
            {
                var at = i * k + j;
                var score = scores[at];
                if (!(score >= 0f && score <= 1f))
                    throw new InvalidDataException($"{Scores}[{i},{j}] = {score} is not a probability.");
                if (score < scoreThreshold) continue;
                var classId = (int)MathF.Round(classes[at]);
                var box = BoundingBox.FromCorners(boxes[at * 4], boxes[at * 4 + 1], boxes[at * 4 + 2], boxes[at * 4 + 3]);
                list.Add(new Detection(CocoLabels.NameOf(classId) ?? $"class {classId}", classId, score, box));
            }
            results[i] = list;
        }
        return results;
    }

    private static TensorProto Require(MapField<string, TensorProto> outputs, string name) =>
        outputs.TryGetValue(name, out var tensor) && tensor is not null
            ? tensor
            : throw new InvalidDataException($"Response lacks output '{name}'.");
}
