using System.Runtime.InteropServices;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using SkiaSharp;

namespace DaprVideo.Media.Drawing;

/// <summary>
/// Draws detections onto a BGRA or I420 frame in place: a box outline in a colour per class id, and a
/// filled caption with <see cref="Detection.Caption"/> (e.g. <c>person: 87%</c>). Line width and
/// text size scale with the frame. On BGRA Skia draws everything; on I420 the outlines are written
/// straight into the planes and captions are rendered by Skia once per text and size, then copied.
/// Not thread-safe: use one annotator per worker.
/// </summary>
public sealed class FrameAnnotator : IDisposable
{
    private readonly SKTypeface _typeface;
    private readonly SKPaint _box = new() { Style = SKPaintStyle.Stroke, IsAntialias = false };
    private readonly SKPaint _fill = new() { Style = SKPaintStyle.Fill, IsAntialias = false };
    private readonly SKPaint _text = new() { IsAntialias = true };
    private readonly Dictionary<(string Text, float Size, uint Colour), CaptionTile> _captions = [];

    /// <summary>Caption tiles kept; a stream's captions repeat (labels x score percentages), so few are needed.</summary>
    private const int MaxCachedCaptions = 512;

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

    /// <summary>Draws on <paramref name="pixels"/> (rows of <paramref name="stride"/> bytes; for I420 the luma stride) in place.</summary>
    public void Annotate(Memory<byte> pixels, int width, int height, int stride, PixelFormat format, IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        if (format == PixelFormat.Rgb24)
            throw new NotSupportedException("FrameAnnotator draws on Bgra32 or I420 frames, not Rgb24.");
        var frame = new ImageFrame(pixels, width, height, format, stride);
        frame.Validate();
        if (detections.Count == 0) return;

        using var font = new SKFont(_typeface, Math.Max(12f, Math.Min(width, height) / 30f));
        var layout = new Layout(font, LineWidth(width, height));
        if (format == PixelFormat.I420)
        {
            DrawI420(new I420Canvas(pixels.Span, frame), font, layout, detections);
            return;
        }

        if (!MemoryMarshal.TryGetArray<byte>(pixels, out var segment))
            throw new NotSupportedException("FrameAnnotator needs an array-backed frame buffer.");
        var pin = GCHandle.Alloc(segment.Array, GCHandleType.Pinned);
        try
        {
            var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
            using var surface = SKSurface.Create(info, Marshal.UnsafeAddrOfPinnedArrayElement(segment.Array!, segment.Offset), stride)
                ?? throw new InvalidOperationException("Skia could not wrap the frame buffer.");
            Draw(surface.Canvas, width, height, font, layout, detections);
        }
        finally
        {
            pin.Free();
        }
    }

    private void Draw(SKCanvas canvas, int width, int height, SKFont font, Layout layout, IReadOnlyList<Detection> detections)
    {
        var line = layout.Line;
        foreach (var detection in detections)
        {
            if (!layout.TryPlace(detection, width, height, font, out var box, out var caption)) continue;
            var colour = ColorFor(detection.ClassId);

            // Stroke inside the box so its outer edge is the detection's edge.
            _box.Color = colour;
            _box.StrokeWidth = line;
            var inset = line / 2f;
            canvas.DrawRect(SKRect.Create(box.Left + inset, box.Top + inset, Math.Max(0, box.Width - line), Math.Max(0, box.Height - line)), _box);

            _fill.Color = colour;
            canvas.DrawRect(caption, _fill);
            DrawCaptionText(canvas, detection.Caption, caption.Left, caption.Top, font, layout, colour);
        }
        canvas.Flush();
    }

    private void DrawI420(I420Canvas canvas, SKFont font, Layout layout, IReadOnlyList<Detection> detections)
    {
        var line = layout.Line;
        foreach (var detection in detections)
        {
            if (!layout.TryPlace(detection, canvas.Width, canvas.Height, font, out var box, out var caption)) continue;
            var colour = ColorFor(detection.ClassId);
            var yuv = YuvColor.From(colour);
            int left = (int)box.Left, top = (int)box.Top, right = (int)box.Right, bottom = (int)box.Bottom;
            canvas.FillRect(left, top, right, Math.Min(bottom, top + line), yuv);
            canvas.FillRect(left, Math.Max(top, bottom - line), right, bottom, yuv);
            canvas.FillRect(left, top, Math.Min(right, left + line), bottom, yuv);
            canvas.FillRect(Math.Max(left, right - line), top, right, bottom, yuv);

            var tile = CaptionTileFor(detection.Caption, font, layout, colour, caption);
            // Chroma pairs pixels: an even corner keeps the tile's planes aligned with the frame's.
            canvas.Blit(tile, (int)caption.Left & ~1, (int)caption.Top & ~1);
        }
    }

    private CaptionTile CaptionTileFor(string text, SKFont font, Layout layout, SKColor colour, SKRect caption)
    {
        var key = (text, font.Size, (uint)colour);
        if (_captions.TryGetValue(key, out var tile)) return tile;
        if (_captions.Count >= MaxCachedCaptions) _captions.Clear();
        tile = CaptionTile.Render((int)MathF.Ceiling(caption.Width), (int)MathF.Ceiling(caption.Height), canvas =>
        {
            canvas.Clear(colour);
            DrawCaptionText(canvas, text, 0, 0, font, layout, colour);
        });
        _captions[key] = tile;
        return tile;
    }

    private void DrawCaptionText(SKCanvas canvas, string text, float left, float top, SKFont font, Layout layout, SKColor background)
    {
        _text.Color = Luminance(background) > 0.55 ? SKColors.Black : SKColors.White;
        canvas.DrawText(text, left + layout.Padding, top + layout.Padding - layout.Ascent, SKTextAlign.Left, font, _text);
    }

    /// <summary>Where a detection's box and caption go on a frame; the same for both pixel formats.</summary>
    private readonly struct Layout
    {
        public Layout(SKFont font, int line)
        {
            Line = line;
            Padding = Math.Max(2f, font.Size / 6f);
            font.GetFontMetrics(out var metrics);
            Ascent = metrics.Ascent;
            TextHeight = metrics.Descent - metrics.Ascent;
        }

        public int Line { get; }
        public float Padding { get; }
        public float Ascent { get; }
        public float TextHeight { get; }

        /// <summary>The box in whole pixels and the caption's rectangle; false when the box is empty.</summary>
        public bool TryPlace(Detection detection, int width, int height, SKFont font, out SKRect box, out SKRect caption)
        {
            var b = detection.Box;
            var left = MathF.Round(Math.Clamp(b.X, 0f, 1f) * width);
            var top = MathF.Round(Math.Clamp(b.Y, 0f, 1f) * height);
            var right = MathF.Round(Math.Clamp(b.Right, 0f, 1f) * width);
            var bottom = MathF.Round(Math.Clamp(b.Bottom, 0f, 1f) * height);
            box = new SKRect(left, top, right, bottom);
            caption = default;
            if (right - left < 1 || bottom - top < 1) return false;

            var captionWidth = font.MeasureText(detection.Caption) + 2 * Padding;
            var captionHeight = TextHeight + 2 * Padding;
            // Above the box when there is room, else just inside its top edge.
            var captionTop = top - captionHeight >= 0 ? top - captionHeight : top;
            var captionLeft = Math.Min(left, Math.Max(0, width - captionWidth));
            caption = SKRect.Create(captionLeft, captionTop, captionWidth, captionHeight);
            return true;
        }
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
