using DaprVideo.Core.Video;

namespace DaprVideo.Core.Vision;

/// <summary>
/// Bilinear resize of a whole frame into a tightly packed RGB24 buffer, with the sampling of
/// TensorFlow's ResizeBilinear (align_corners = false, half_pixel_centers = false) that the SSD
/// preprocessor applied when the model was trained: source = destination * (in / out).
/// The full frame is stretched, so boxes normalised to the output are normalised to the source too.
/// I420 frames are sampled plane by plane (chroma at its half resolution) and converted to RGB with
/// the limited-range BT.601 matrix, as ffmpeg converts untagged video.
/// </summary>
public static class FrameResizer
{
    public const int MaxOutputSide = 4096;

    public static void ResizeToRgb(in ImageFrame frame, int width, int height, Span<byte> destination) =>
        ResizeRows(frame, width, height, destination, 0, height);

    /// <summary>
    /// Resizes with the output rows split into bands run in parallel: the detector's cores are idle
    /// while frames are prepared, so the resize costs about 1/cores of its single-threaded time.
    /// </summary>
    public static void ResizeToRgbParallel(ImageFrame frame, int width, int height, Memory<byte> destination)
    {
        var bands = Math.Clamp(Environment.ProcessorCount, 1, height);
        if (bands == 1)
        {
            ResizeToRgb(frame, width, height, destination.Span);
            return;
        }
        Parallel.For(0, bands, band =>
            ResizeRows(frame, width, height, destination.Span, band * height / bands, (band + 1) * height / bands));
    }

    /// <summary>Output rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of the resize.</summary>
    private static void ResizeRows(in ImageFrame frame, int width, int height, Span<byte> destination, int rowStart, int rowEnd)
    {
        frame.Validate();
        // The sampling tables live on the stack: keep them small.
        if (width is < 1 or > MaxOutputSide || height is < 1 or > MaxOutputSide)
            throw new ArgumentOutOfRangeException(nameof(width), $"Output size {width}x{height} must be 1..{MaxOutputSide} per side.");
        if (destination.Length < width * height * 3)
            throw new ArgumentException($"Destination holds {destination.Length} bytes; {width}x{height} RGB needs {width * height * 3}.");

        if (frame.Format == PixelFormat.I420)
        {
            ResizeI420ToRgb(frame, width, height, destination, rowStart, rowEnd);
            return;
        }

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
        for (var y = rowStart; y < rowEnd; y++)
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

    private static void ResizeI420ToRgb(in ImageFrame frame, int width, int height, Span<byte> destination, int rowStart, int rowEnd)
    {
        var src = frame.Pixels.Span;
        var luma = src[..frame.UOffset];
        var cb = src.Slice(frame.UOffset, frame.ChromaStride * frame.ChromaHeight);
        var cr = src.Slice(frame.VOffset, frame.ChromaStride * (frame.ChromaHeight - 1) + frame.ChromaWidth);

        Span<int> x0 = stackalloc int[width];
        Span<int> x1 = stackalloc int[width];
        Span<float> fx = stackalloc float[width];
        Span<int> wx = stackalloc int[width];
        SampleAxis(frame.Width, width, x0, x1, fx);
        Span<int> cx0 = stackalloc int[width];
        Span<int> cx1 = stackalloc int[width];
        Span<int> cwx = stackalloc int[width];
        for (var i = 0; i < width; i++)
        {
            wx[i] = (int)(fx[i] * One + 0.5f);
            ChromaSample(x0[i] + fx[i], frame.ChromaWidth, out cx0[i], out cx1[i], out cwx[i]);
        }

        var scaleY = (float)frame.Height / height;
        for (var y = rowStart; y < rowEnd; y++)
        {
            var sy = y * scaleY;
            var y0 = Math.Min((int)sy, frame.Height - 1);
            var y1 = Math.Min(y0 + 1, frame.Height - 1);
            var wy = (int)((sy - y0) * One + 0.5f);
            ChromaSample(sy, frame.ChromaHeight, out var cy0, out var cy1, out var cwy);
            var top = luma.Slice(y0 * frame.Stride, frame.Width);
            var bottom = luma.Slice(y1 * frame.Stride, frame.Width);
            var uTop = cb.Slice(cy0 * frame.ChromaStride, frame.ChromaWidth);
            var uBottom = cb.Slice(cy1 * frame.ChromaStride, frame.ChromaWidth);
            var vTop = cr.Slice(cy0 * frame.ChromaStride, frame.ChromaWidth);
            var vBottom = cr.Slice(cy1 * frame.ChromaStride, frame.ChromaWidth);
            var dst = destination.Slice(y * width * 3, width * 3);
            for (var x = 0; x < width; x++)
            {
                var c = (Blend(top, bottom, x0[x], x1[x], wx[x], wy) - 16) * 298;
                var d = Blend(uTop, uBottom, cx0[x], cx1[x], cwx[x], cwy) - 128;
                var e = Blend(vTop, vBottom, cx0[x], cx1[x], cwx[x], cwy) - 128;
                var o = x * 3;
                dst[o] = Clamp((c + 409 * e + 128) >> 8);
                dst[o + 1] = Clamp((c - 100 * d - 208 * e + 128) >> 8);
                dst[o + 2] = Clamp((c + 516 * d + 128) >> 8);
            }
        }
    }

    /// <summary>
    /// The two chroma samples around luma position <paramref name="lumaPosition"/>: each chroma sample
    /// covers a 2x2 luma block, so it sits at luma 2c + 0.5.
    /// </summary>
    private static void ChromaSample(float lumaPosition, int chromaSize, out int lo, out int hi, out int weight)
    {
        var c = Math.Max(0f, (lumaPosition - 0.5f) / 2);
        lo = Math.Min((int)c, chromaSize - 1);
        hi = Math.Min(lo + 1, chromaSize - 1);
        weight = Math.Min(One, (int)((c - lo) * One + 0.5f));
    }

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);

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
