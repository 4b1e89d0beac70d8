using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Vision;

public class FrameResizerTests
{
    [Fact]
    public void Sampling_follows_tensorflow_resize_bilinear_without_half_pixel_centres()
    {
        Span<int> lo = stackalloc int[3];
        Span<int> hi = stackalloc int[3];
        Span<float> frac = stackalloc float[3];

        // 4 -> 3: source = dest * 4/3 = 0, 1.333, 2.667
        FrameResizer.SampleAxis(4, 3, lo, hi, frac);

        Assert.Equal([0, 1, 2], lo.ToArray());
        Assert.Equal([1, 2, 3], hi.ToArray());
        Assert.Equal(0f, frac[0], 5);
        Assert.Equal(1f / 3, frac[1], 5);
        Assert.Equal(2f / 3, frac[2], 5);
    }

    [Fact]
    public void Upscaling_clamps_at_the_last_source_pixel()
    {
        Span<int> lo = stackalloc int[4];
        Span<int> hi = stackalloc int[4];
        Span<float> frac = stackalloc float[4];

        FrameResizer.SampleAxis(2, 4, lo, hi, frac); // source = 0, 0.5, 1, 1.5

        Assert.Equal([0, 0, 1, 1], lo.ToArray());
        Assert.Equal([1, 1, 1, 1], hi.ToArray());
        Assert.Equal(0.5f, frac[3], 5);
    }

    [Fact]
    public void Horizontal_gradient_is_interpolated_linearly()
    {
        // 4x1 RGB row with red = 0, 60, 120, 180; resized to 2x1 samples source x = 0 and 2.
        byte[] src = [0, 1, 2, 60, 1, 2, 120, 1, 2, 180, 1, 2];
        var dst = new byte[6];

        FrameResizer.ResizeToRgb(ImageFrame.Rgb(src, 4, 1), 2, 1, dst);

        Assert.Equal([0, 1, 2, 120, 1, 2], dst);
    }

    [Fact]
    public void Fractional_positions_blend_neighbours()
    {
        // 3 -> 2 samples source x = 0 and 1.5 -> halfway between 100 and 200.
        byte[] src = [0, 0, 0, 100, 100, 100, 200, 200, 200];
        var dst = new byte[6];

        FrameResizer.ResizeToRgb(ImageFrame.Rgb(src, 3, 1), 2, 1, dst);

        Assert.Equal(150, dst[3]);
    }

    [Fact]
    public void Bgra_input_yields_rgb_order_and_honours_stride()
    {
        // 1x2 BGRA with 4 bytes of row padding: pixels (r=10,g=20,b=30) and (r=50,g=60,b=70).
        byte[] src = [30, 20, 10, 255, 9, 9, 9, 9, 70, 60, 50, 255, 9, 9, 9, 9];
        var frame = new ImageFrame(src, 1, 2, PixelFormat.Bgra32, Stride: 8);
        var dst = new byte[6];

        FrameResizer.ResizeToRgb(frame, 1, 2, dst);

        Assert.Equal([10, 20, 30, 50, 60, 70], dst);
    }

    [Theory]
    [InlineData(235, 128, 128, 255, 255, 255)] // limited-range white
    [InlineData(16, 128, 128, 0, 0, 0)] // limited-range black
    [InlineData(81, 90, 240, 255, 0, 0)] // BT.601 red
    [InlineData(145, 54, 34, 0, 255, 0)] // BT.601 green
    [InlineData(41, 240, 110, 0, 0, 255)] // BT.601 blue
    public void I420_converts_with_limited_range_bt601(byte y, byte u, byte v, byte r, byte g, byte b)
    {
        // 4x2 frame: 8 luma bytes, then 2 U and 2 V.
        var src = new byte[12];
        src.AsSpan(0, 8).Fill(y);
        src.AsSpan(8, 2).Fill(u);
        src.AsSpan(10, 2).Fill(v);
        var dst = new byte[3 * 3 * 3];

        FrameResizer.ResizeToRgb(ImageFrame.I420(src, 4, 2), 3, 3, dst);

        for (var i = 0; i < dst.Length; i += 3)
        {
            Assert.InRange(dst[i], r - 2, r + 2);
            Assert.InRange(dst[i + 1], g - 2, g + 2);
            Assert.InRange(dst[i + 2], b - 2, b + 2);
        }
    }

    [Fact]
    public void I420_frames_of_odd_size_have_rounded_up_chroma_planes()
    {
        var frame = ImageFrame.I420(new byte[5 * 3 + 2 * 3 * 2], 5, 3);
        frame.Validate();
        Assert.Equal((3, 2, 15, 21), (frame.ChromaWidth, frame.ChromaHeight, frame.UOffset, frame.VOffset));
        Assert.Equal(27, ImageFrame.PackedSize(PixelFormat.I420, 5, 3));
        Assert.Throws<ArgumentException>(() => ImageFrame.I420(new byte[26], 5, 3).Validate());
    }

    [Fact]
    public void A_buffer_too_small_for_the_frame_is_rejected()
    {
        var frame = ImageFrame.Rgb(new byte[10], 4, 4);
        Assert.Throws<ArgumentException>(() => FrameResizer.ResizeToRgb(frame, 2, 2, new byte[12]));
    }
}
