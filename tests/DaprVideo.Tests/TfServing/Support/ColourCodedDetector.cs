using System.Collections.Concurrent;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.TfServing.Support;

/// <summary>
/// Test-only deterministic detector: one detection per frame, derived from the colour of the
/// frame's top-left pixel, so every result can be traced back to the frame that produced it.
/// Frames are meant to be solid colours, which survive any resize unchanged.
/// </summary>
internal sealed class ColourCodedDetector : IObjectDetector
{
    public ConcurrentQueue<int> BatchSizes { get; } = new();

    public ConcurrentQueue<(int Width, int Height)> FrameSizes { get; } = new();

    /// <summary>Awaited before each batch is answered (to hold batches in flight).</summary>
    public Func<Task>? Gate { get; set; }

    public async Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default)
    {
        BatchSizes.Enqueue(frames.Count);
        if (Gate is { } gate) await gate().WaitAsync(cancellationToken);
        var results = new IReadOnlyList<Detection>[frames.Count];
        for (var i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            FrameSizes.Enqueue((f.Width, f.Height));
            var p = f.Pixels.Span;
            var (r, g, b) = f.Format == PixelFormat.Rgb24 ? (p[0], p[1], p[2]) : (p[2], p[1], p[0]);
            results[i] = [Expected(r, g, b)];
        }
        return results;
    }

    public static Detection Expected(byte r, byte g, byte b)
    {
        var classId = 1 + r % 90;
        return new Detection(CocoLabels.NameOf(classId) ?? $"class {classId}", classId, (g + 1) / 256f,
            BoundingBox.FromCorners(b / 510f, 0.1f, 0.5f + b / 510f, 0.6f));
    }

    public static ImageFrame SolidFrame(byte r, byte g, byte b, int width = 64, int height = 48)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
        }
        return ImageFrame.Rgb(pixels, width, height);
    }

    public static void AssertSame(Detection expected, Detection actual)
    {
        Assert.Equal(expected.Label, actual.Label);
        Assert.Equal(expected.ClassId, actual.ClassId);
        Assert.Equal(expected.Score, actual.Score, 1e-6f);
        Assert.Equal(expected.Box.X, actual.Box.X, 1e-5f);
        Assert.Equal(expected.Box.Y, actual.Box.Y, 1e-5f);
        Assert.Equal(expected.Box.W, actual.Box.W, 1e-5f);
        Assert.Equal(expected.Box.H, actual.Box.H, 1e-5f);
    }
}
