namespace DaprVideo.Core.Vision;

/// <summary>
/// Bilinear resize of a whole frame into a tightly packed RGB24 buffer, with the sampling of
/// TensorFlow's ResizeBilinear (align_corners = false, half_pixel_centers = false) that the SSD
/// preprocessor applied when the model was trained: source = destination * (in / out).
/// The full frame is stretched, so boxes normalised to the output are normalised to the source too.
/// </summary>
public static class FrameResizer
{
    public const int MaxOutputSide = 4096;

    public static void ResizeToRgb(in ImageFrame frame, int width, int height, Span<byte> destination)
    {
        frame.Validate();
        // The sampling tables live on the stack: keep them small.
        if (width is < 1 or > MaxOutputSide || height is < 1 or > MaxOutputSide)
            throw new ArgumentOutOfRangeException(nameof(width), $"Output size {width}x{height} must be 1..{MaxOutputSide} per side.");
        if (destination.Length < width * height * 3)
            throw new ArgumentException($"Destination holds {destination.Length} bytes; {width}x{height} RGB needs {width * height * 3}.");

        // For BGRA the red byte sits at offset 2; channel offsets map RGB output to source bytes.
        var (r, g, b) = frame.Format == PixelFormat.Rgb24 ? (0, 1, 2) : (2, 1, 0);
        var bpp = frame.BytesPerPixel;
        var src = frame.Pixels.Span;

        Span<int> x0 = stackalloc int[width];
        Span<int> x1 = stackalloc int[width];
        Span<float> fx = stackalloc float[width];
        Span<int> wx = stackalloc int[width];
        SampleAxis(frame.Width, width, x0, x1, fx);
        for (var i = 0; i < width; i++)
        {
            x0[i] *= bpp;
            x1[i] *= bpp;
            wx[i] = (int)(fx[i] * One + 0.5f);
        }

        // 8-bit fixed-point weights: within one level of the float result and several times faster.
        var scaleY = (float)frame.Height / height;
        for (var y = 0; y < height; y++)
        {
            var sy = y * scaleY;
            var y0 = Math.Min((int)sy, frame.Height - 1);
            var y1 = Math.Min(y0 + 1, frame.Height - 1);
            var wy = (int)((sy - y0) * One + 0.5f);
            var top = src.Slice(y0 * frame.Stride, frame.Width * bpp);
            var bottom = src.Slice(y1 * frame.Stride, frame.Width * bpp);
            var dst = destination.Slice(y * width * 3, width * 3);
            for (var x = 0; x < width; x++)
            {
                int i0 = x0[x], i1 = x1[x], w = wx[x], d = x * 3;
                dst[d] = Blend(top, bottom, i0 + r, i1 + r, w, wy);
                dst[d + 1] = Blend(top, bottom, i0 + g, i1 + g, w, wy);
                dst[d + 2] = Blend(top, bottom, i0 + b, i1 + b, w, wy);
            }
        }
    }

    private const int One = 256;

    /// <summary>Per output index: the two source indices and the weight of the second.</summary>
    internal static void SampleAxis(int inSize, int outSize, Span<int> lo, Span<int> hi, Span<float> frac)
    {
        var scale = (float)inSize / outSize;
        for (var i = 0; i < outSize; i++)
        {
            var s = i * scale;
            var i0 = Math.Min((int)s, inSize - 1);
            lo[i] = i0;
            hi[i] = Math.Min(i0 + 1, inSize - 1);
            frac[i] = s - i0;
        }
    }

    private static byte Blend(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, int i0, int i1, int wx, int wy)
    {
        var t = top[i0] * (One - wx) + top[i1] * wx;
        var bo = bottom[i0] * (One - wx) + bottom[i1] * wx;
        return (byte)((t * (One - wy) + bo * wy + One * One / 2) >> 16);
    }
}
