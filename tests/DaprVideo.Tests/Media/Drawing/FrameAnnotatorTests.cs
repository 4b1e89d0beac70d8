using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Drawing;
using SkiaSharp;

namespace DaprVideo.Tests.Media.Drawing;

public sealed class FrameAnnotatorTests
{
    private const int Width = 400, Height = 300;

    [Fact]
    public void Draws_the_box_outline_in_the_class_colour_at_the_detection_edges()
    {
        var pixels = GreyFrame();
        using var annotator = new FrameAnnotator();
        var person = new Detection("person", 1, 0.87f, new BoundingBox(0.25f, 0.5f, 0.5f, 0.4f));

        annotator.Annotate(pixels, Width, Height, Width * 4, PixelFormat.Bgra32, [person]);

        var colour = FrameAnnotator.ColorFor(1);
        var line = FrameAnnotator.LineWidth(Width, Height);
        const int left = 100, right = 300, bottom = 270, midY = 210, midX = 200; // top edge at y=150
        Assert.Equal(colour, Pixel(pixels, left, midY));
        Assert.Equal(colour, Pixel(pixels, left + line - 1, midY));
        Assert.Equal(colour, Pixel(pixels, right - 1, midY));
        Assert.Equal(colour, Pixel(pixels, midX, bottom - 1));
        Assert.Equal(Grey, Pixel(pixels, left - 1, midY));
        Assert.Equal(Grey, Pixel(pixels, left + line, midY));
        Assert.Equal(Grey, Pixel(pixels, right, midY));
        Assert.Equal(Grey, Pixel(pixels, midX, bottom));
        Assert.Equal(Grey, Pixel(pixels, midX, midY));
    }

    [Fact]
    public void Writes_the_caption_text_on_a_filled_background_above_the_box()
    {
        var pixels = GreyFrame();
        using var annotator = new FrameAnnotator();
        var cat = new Detection("cat", 17, 0.5f, new BoundingBox(0.25f, 0.5f, 0.5f, 0.4f));

        annotator.Annotate(pixels, Width, Height, Width * 4, PixelFormat.Bgra32, [cat]);

        // Caption band: the rows just above the box top (y=150), from its left edge.
        var colour = FrameAnnotator.ColorFor(17);
        var band = from y in Enumerable.Range(130, 19) from x in Enumerable.Range(100, 80) select Pixel(pixels, x, y);
        var counts = band.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(counts.GetValueOrDefault(colour) > 400, "caption background is filled");
        var glyphPixels = counts.Where(kv => kv.Key != colour && kv.Key != Grey).Sum(kv => kv.Value);
        Assert.True(glyphPixels > 60, $"caption text rendered with {annotator.FontFamily} ({glyphPixels} text pixels)");
    }

    [Fact]
    public void Draws_into_i420_planes_with_the_same_geometry()
    {
        // Grey in limited-range YUV: Y 0x40 is dark grey, chroma neutral.
        var frame = new byte[Width * Height * 3 / 2];
        frame.AsSpan(0, Width * Height).Fill(0x40);
        frame.AsSpan(Width * Height).Fill(128);
        using var annotator = new FrameAnnotator();
        var person = new Detection("person", 1, 0.87f, new BoundingBox(0.25f, 0.5f, 0.5f, 0.4f));

        annotator.Annotate(frame, Width, Height, Width, PixelFormat.I420, [person]);

        var expected = ToYuv(FrameAnnotator.ColorFor(1));
        var line = FrameAnnotator.LineWidth(Width, Height);
        const int left = 100, right = 300, bottom = 270, midY = 210, midX = 200;
        Assert.Equal(expected, Yuv(frame, left, midY));
        Assert.Equal(expected, Yuv(frame, left + line - 1, midY));
        Assert.Equal(expected, Yuv(frame, right - 1, midY));
        Assert.Equal(expected, Yuv(frame, midX, bottom - 1));
        Assert.Equal(0x40, Yuv(frame, left - 1, midY).Y);
        Assert.Equal(0x40, Yuv(frame, left + line, midY).Y);
        Assert.Equal(0x40, Yuv(frame, right, midY).Y);
        Assert.Equal(0x40, Yuv(frame, midX, bottom).Y);
        Assert.Equal((0x40, 128, 128), Yuv(frame, midX, midY));

        // The caption above the box: its background colour, with text in another luma.
        var band = (from y in Enumerable.Range(132, 16) from x in Enumerable.Range(100, 80) select Yuv(frame, x, y).Y).ToList();
        Assert.True(band.Count(v => v == expected.Y) > 400, "caption background is filled");
        Assert.True(band.Count(v => v != expected.Y && v != 0x40) > 60, "caption text rendered");
    }

    [Fact]
    public void Classes_get_distinct_colours_and_rgb_frames_are_refused()
    {
        var colours = Enumerable.Range(1, 90).Select(FrameAnnotator.ColorFor).ToList();
        Assert.Equal(90, colours.Distinct().Count());
        using var annotator = new FrameAnnotator();
        Assert.Throws<NotSupportedException>(() =>
            annotator.Annotate(new byte[Width * Height * 3], Width, Height, Width * 3, PixelFormat.Rgb24, [new Detection("x", 1, 1, new BoundingBox(0, 0, 1, 1))]));
    }

    [Fact]
    public void A_missing_font_file_fails_at_construction()
    {
        var e = Assert.Throws<ArgumentException>(() => new FrameAnnotator(new FrameAnnotatorOptions { FontPath = "/nonexistent/font.ttf" }));
        Assert.Contains("/nonexistent/font.ttf", e.Message, StringComparison.Ordinal);
    }

    private static readonly SKColor Grey = new(0x40, 0x40, 0x40);

    private static byte[] GreyFrame()
    {
        var pixels = new byte[Width * Height * 4];
        for (var i = 0; i < pixels.Length; i += 4) (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]) = (0x40, 0x40, 0x40, 0xff);
        return pixels;
    }

    /// <summary>Limited-range BT.601, as ffmpeg reads untagged video.</summary>
    private static (int Y, int U, int V) ToYuv(SKColor c) => (
        ((66 * c.Red + 129 * c.Green + 25 * c.Blue + 128) >> 8) + 16,
        ((-38 * c.Red - 74 * c.Green + 112 * c.Blue + 128) >> 8) + 128,
        ((112 * c.Red - 94 * c.Green - 18 * c.Blue + 128) >> 8) + 128);

    private static (int Y, int U, int V) Yuv(byte[] i420, int x, int y)
    {
        var chroma = Width * Height + y / 2 * (Width / 2) + x / 2;
        return (i420[y * Width + x], i420[chroma], i420[chroma + Width * Height / 4]);
    }

    private static SKColor Pixel(byte[] bgra, int x, int y)
    {
        var i = (y * Width + x) * 4;
        return new SKColor(bgra[i + 2], bgra[i + 1], bgra[i], bgra[i + 3]);
    }
}
