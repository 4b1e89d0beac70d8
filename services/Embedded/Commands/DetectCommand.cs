using System.Text.Json;
using DaprVideo.Core;
using DaprVideo.Embedded.Cli;
using DaprVideo.Media.Images;
using DaprVideo.Onnx;

namespace DaprVideo.Embedded.Commands;

/// <summary><c>detect &lt;image&gt; [--threshold T]</c>: prints the detections as a JSON array.</summary>
public static class DetectCommand
{
    public const string Usage = "detect <image> [--threshold 0..1] [--model path.onnx]";

    public static async Task<int> RunAsync(CommandArguments args, DetectorSettings settings, TextWriter stdout)
    {
        var path = args.Positional(0, "image path (usage: " + Usage + ")");
        var threshold = args.DoubleOption("threshold", 0, 1);
        var model = args.Option("model");
        args.EnsureNoneLeft(1);

        settings = settings with
        {
            ScoreThreshold = threshold is { } t ? (float)t : settings.ScoreThreshold,
            ModelPath = model ?? settings.ModelPath,
        };

        var image = DecodedImage.Decode(await ReadImageAsync(path));
        using var detector = new OnnxObjectDetector(settings.ToOptions());
        var detections = detector.Detect([image.Frame])[0];
        await stdout.WriteLineAsync(JsonSerializer.Serialize(detections, CoreJsonContext.Default.IReadOnlyListDetection));
        return 0;
    }

    private static async Task<byte[]> ReadImageAsync(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a directory, not an image file.");
        if (!File.Exists(path)) throw new UsageException($"No such file: '{path}'.");
        return await File.ReadAllBytesAsync(path);
    }
}
