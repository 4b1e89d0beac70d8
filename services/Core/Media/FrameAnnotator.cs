using System.Runtime.InteropServices;
using DaprVideo.Core.Vision;
using SkiaSharp;

namespace DaprVideo.Core.Media;

/// <summary>
/// Draws detections onto a BGRA frame in place: a box outline in a colour per class id, and a
/// filled caption with <see cref="Detection.Caption"/> (e.g. <c>person: 87%</c>). Line width and
/// text size scale with the frame. Not thread-safe: use one annotator per worker.
/// </summary>
public sealed class FrameAnnotator : IDisposable
{
    private readonly SKTypeface _typeface;
    private readonly SKPaint _box = new() { Style = SKPaintStyle.Stroke, IsAntialias = false };
    private readonly SKPaint _fill = new() { Style = SKPaintStyle.Fill, IsAntialias = false };
    private readonly SKPaint _text = new() { IsAntialias = true };

    public FrameAnnotator(FrameAnnotatorOptions? options = null)
    {
        _typeface = LoadTypeface(options ?? new FrameAnnotatorOptions());
    }

    /// <summary>The font family captions are drawn with (for reports and diagnostics).</summary>
    public string FontFamily => _typeface.FamilyName;

    /// <summary>The colour of a class's boxes: hues spread by the golden ratio so neighbours differ.</summary>
    public static SKColor ColorFor(int classId)
    {
        var hue = (float)((Math.Abs((long)classId) * 0.6180339887498949) % 1.0 * 360.0);
        return SKColor.FromHsv(hue, 85, 95);
    }

    /// <summary>Box line width in pixels for a frame size.</summary>
    public static int LineWidth(int width, int height) => Math.Max(2, (int)MathF.Round(Math.Min(width, height) / 240f));

    public void Annotate(DecodedFrame frame, IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Annotate(frame.Pixels, frame.Width, frame.Height, frame.Stride, frame.PixelFormat, detections);
    }

    /// <summary>Draws on <paramref name="pixels"/> (rows of <paramref name="stride"/> bytes) in place.</summary>
    public void Annotate(Memory<byte> pixels, int width, int height, int stride, PixelFormat format, IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        if (format != PixelFormat.Bgra32)
            throw new NotSupportedException("FrameAnnotator draws on Bgra32 frames; decode with PixelFormat.Bgra32.");
        new ImageFrame(pixels, width, height, format, stride).Validate();
        if (detections.Count == 0) return;

        if (!MemoryMarshal.TryGetArray<byte>(pixels, out var segment))
            throw new NotSupportedException("FrameAnnotator needs an array-backed frame buffer.");
        var pin = GCHandle.Alloc(segment.Array, GCHandleType.Pinned);
        try
        {
            var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
            using var surface = SKSurface.Create(info, Marshal.UnsafeAddrOfPinnedArrayElement(segment.Array!, segment.Offset), stride)
                ?? throw new InvalidOperationException("Skia could not wrap the frame buffer.");
            Draw(surface.Canvas, width, height, detections);
        }
        finally
        {
            pin.Free();
        }
    }

    private void Draw(SKCanvas canvas, int width, int height, IReadOnlyList<Detection> detections)
    {
        var line = LineWidth(width, height);
        using var font = new SKFont(_typeface, Math.Max(12f, Math.Min(width, height) / 30f));
        var padding = Math.Max(2f, font.Size / 6f);
        font.GetFontMetrics(out var metrics);
        var textHeight = metrics.Descent - metrics.Ascent;

        foreach (var detection in detections)
        {
            var colour = ColorFor(detection.ClassId);
            var box = detection.Box;
            var left = MathF.Round(Math.Clamp(box.X, 0f, 1f) * width);
            var top = MathF.Round(Math.Clamp(box.Y, 0f, 1f) * height);
            var right = MathF.Round(Math.Clamp(box.Right, 0f, 1f) * width);
            var bottom = MathF.Round(Math.Clamp(box.Bottom, 0f, 1f) * height);
            if (right - left < 1 || bottom - top < 1) continue;

            // Stroke inside the box so its outer edge is the detection's edge.
            _box.Color = colour;
            _box.StrokeWidth = line;
            var inset = line / 2f;
            canvas.DrawRect(SKRect.Create(left + inset, top + inset, Math.Max(0, right - left - line), Math.Max(0, bottom - top - line)), _box);

            var caption = detection.Caption;
            var captionWidth = font.MeasureText(caption) + 2 * padding;
            var captionHeight = textHeight + 2 * padding;
            // Above the box when there is room, else just inside its top edge.
            var captionTop = top - captionHeight >= 0 ? top - captionHeight : top;
            var captionLeft = Math.Min(left, Math.Max(0, width - captionWidth));
            _fill.Color = colour;
            canvas.DrawRect(SKRect.Create(captionLeft, captionTop, captionWidth, captionHeight), _fill);
            _text.Color = Luminance(colour) > 0.55 ? SKColors.Black : SKColors.White;
            canvas.DrawText(caption, captionLeft + padding, captionTop + padding - metrics.Ascent, SKTextAlign.Left, font, _text);
        }
        canvas.Flush();
    }

    public void Dispose()
    {
        _box.Dispose();
        _fill.Dispose();
        _text.Dispose();
        _typeface.Dispose();
    }

    private static double Luminance(SKColor c) => (0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue) / 255.0;

    private static SKTypeface LoadTypeface(FrameAnnotatorOptions options)
    {
        if (options.FontPath is { } path)
        {
            var typeface = SKTypeface.FromFile(path);
            if (typeface is null || typeface.GlyphCount == 0)
            {
                typeface?.Dispose();
                throw new ArgumentException($"Font '{path}' could not be loaded (missing, or not a TrueType/OpenType font).");
            }
            return typeface;
        }
        if (SKTypeface.Default is { GlyphCount: > 0 })
            return SKTypeface.FromFamilyName(null) ?? SKTypeface.Default;
        foreach (var candidate in FrameAnnotatorOptions.CommonFontPaths)
        {
            var typeface = SKTypeface.FromFile(candidate);
            if (typeface is { GlyphCount: > 0 }) return typeface;
            typeface?.Dispose();
        }
        throw new InvalidOperationException(
            "No font with glyphs for captions: set FrameAnnotatorOptions.FontPath (e.g. install fonts-dejavu-core and use " +
            FrameAnnotatorOptions.CommonFontPaths[0] + ").");
    }
}
