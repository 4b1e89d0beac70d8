using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Images;
using SkiaSharp;

namespace DaprVideo.Tests.Media.Images;

public sealed class JpegSnapshotEncoderTests
{
    /// <summary>An I420 frame: mid-grey with a white square at <paramref name="square"/> (pixels).</summary>
    private static ImageFrame Frame(int width, int height, SKRectI square)
    {
        var frame = new byte[ImageFrame.PackedSize(PixelFormat.I420, width, height)];
        frame.AsSpan(0, width * height).Fill(126);
        frame.AsSpan(width * height).Fill(128);
        for (var y = square.Top; y < square.Bottom; y++) frame.AsSpan(y * width + square.Left, square.Width).Fill(235);
        return ImageFrame.I420(frame, width, height);
    }

    private static SKBitmap Decode(byte[] jpeg)
    {
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        return SKBitmap.Decode(jpeg) ?? throw new InvalidDataException("not decodable");
    }

    [Fact]
    public void The_frame_and_the_box_with_its_margin_come_out_as_jpegs()
    {
        var frame = Frame(640, 360, SKRectI.Create(320, 90, 64, 128));
        var box = new BoundingBox(320 / 640f, 90 / 360f, 64 / 640f, 128 / 360f);
        var pictures = new JpegSnapshotEncoder().Encode(frame, box);

        using var whole = Decode(pictures.Frame);
        Assert.Equal((640, 360), (whole.Width, whole.Height));
        using var crop = Decode(pictures.Crop);
        // 15% margin each side: 64 → ~83, 128 → ~167.
        Assert.InRange(crop.Width, 82, 85);
        Assert.InRange(crop.Height, 166, 169);
        // The object is in the middle of the crop, the margin is background.
        Assert.True(crop.GetPixel(crop.Width / 2, crop.Height / 2).Red > 220);
        Assert.True(crop.GetPixel(2, 2).Red < 150);
    }

    [Fact]
    public void A_big_frame_is_scaled_down_and_a_box_at_the_edge_or_tiny_still_gives_a_crop()
    {
        var frame = Frame(1920, 1080, SKRectI.Create(1900, 1070, 20, 10));
        var pictures = new JpegSnapshotEncoder().Encode(frame, new BoundingBox(0.999f, 0.999f, 0.0005f, 0.0005f));
        using var whole = Decode(pictures.Frame);
        Assert.Equal((1280, 720), (whole.Width, whole.Height));
        using var crop = Decode(pictures.Crop);
        Assert.InRange(crop.Width, 1, 16);
        Assert.InRange(crop.Height, 1, 16);
    }
}
