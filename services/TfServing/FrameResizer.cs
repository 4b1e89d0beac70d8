using DaprVideo.Core.Detection;

namespace DaprVideo.TfServing;

/// <summary>
/// Packs a frame into tightly packed RGB24, scaled with bilinear sampling at pixel centres
/// (what the model's own ResizeBilinear does, so sending 300x300 loses nothing it would keep).
/// </summary>
internal static class FrameResizer
{
    public static void ToRgb(ImageFrame frame, Span<byte> destination, int width, int height)
    {
        frame.Validate();
        if (destination.Length < width * height * 3)
            throw new ArgumentException($"Destination holds {destination.Length} bytes, needs {width * height * 3}.", nameof(destination));

        var src = frame.Pixels.Span;
        var bpp = frame.BytesPerPixel;
        var (red, blue) = frame.Format == PixelFormat.Bgra32 ? (2, 0) : (0, 2);

        if (width == frame.Width && height == frame.Height)
        {
            for (var y = 0; y < height; y++)
            {
                var row = src.Slice(y * frame.Stride, width * bpp);
                var dst = destination.Slice(y * width * 3, width * 3);
                if (frame.Format == PixelFormat.Rgb24)
                {
                    row.CopyTo(dst);
                    continue;
                }
                for (var x = 0; x < width; x++)
                {
                    dst[x * 3] = row[x * bpp + red];
                    dst[x * 3 + 1] = row[x * bpp + 1];
                    dst[x * 3 + 2] = row[x * bpp + blue];
                }
            }
            return;
        }

        var (x0, x1, wx) = Taps(frame.Width, width);
        var (y0, y1, wy) = Taps(frame.Height, height);
        Span<int> channel = [red, 1, blue];
        for (var y = 0; y < height; y++)
        {
            var top = src.Slice(y0[y] * frame.Stride);
            var bottom = src.Slice(y1[y] * frame.Stride);
            var fy = wy[y];
            var dst = destination.Slice(y * width * 3, width * 3);
            for (var x = 0; x < width; x++)
            {
                var a = x0[x] * bpp;
                var b = x1[x] * bpp;
                var fx = wx[x];
                for (var c = 0; c < 3; c++)
                {
                    var o = channel[c];
                    var t = top[a + o] + (top[b + o] - top[a + o]) * fx;
                    var u = bottom[a + o] + (bottom[b + o] - bottom[a + o]) * fx;
                    dst[x * 3 + c] = (byte)(t + (u - t) * fy + 0.5f);
                }
            }
        }
    }

    private static (int[] Lo, int[] Hi, float[] Weight) Taps(int source, int target)
    {
        var lo = new int[target];
        var hi = new int[target];
        var weight = new float[target];
        var scale = (float)source / target;
        for (var i = 0; i < target; i++)
        {
            var pos = Math.Max(0f, (i + 0.5f) * scale - 0.5f);
            var index = Math.Min((int)pos, source - 1);
            lo[i] = index;
            hi[i] = Math.Min(index + 1, source - 1);
            weight[i] = pos - index;
        }
        return (lo, hi, weight);
    }
}
