using SkiaSharp;

namespace DaprVideo.Media.Drawing;

/// <summary>
/// A caption (filled background and its text) rendered once by Skia and kept as I420 planes of even
/// size, so drawing it on a frame is a copy of rows. The background is opaque, so no blending is needed.
/// </summary>
internal sealed class CaptionTile
{
    private CaptionTile(int width, int height, byte[] y, byte[] u, byte[] v)
    {
        Width = width;
        Height = height;
        Y = y;
        U = u;
        V = v;
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Y { get; }
    public byte[] U { get; }
    public byte[] V { get; }

    /// <summary>Renders <paramref name="draw"/> on a <paramref name="width"/> x <paramref name="height"/> BGRA canvas (sides rounded up to even) and converts it.</summary>
    public static CaptionTile Render(int width, int height, Action<SKCanvas> draw)
    {
        width = (width + 1) & ~1;
        height = (height + 1) & ~1;
        var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Black);
            draw(canvas);
            canvas.Flush();
        }
        var bgra = bitmap.GetPixelSpan();
        var stride = bitmap.RowBytes;
        var y = new byte[width * height];
        var u = new byte[width * height / 4];
        var v = new byte[width * height / 4];
        for (var row = 0; row < height; row += 2)
        {
            for (var col = 0; col < width; col += 2)
            {
                int r = 0, g = 0, b = 0;
                for (var dy = 0; dy < 2; dy++)
                {
                    for (var dx = 0; dx < 2; dx++)
                    {
                        var i = (row + dy) * stride + (col + dx) * 4;
                        var c = YuvColor.From(bgra[i + 2], bgra[i + 1], bgra[i]);
                        y[(row + dy) * width + col + dx] = c.Y;
                        r += bgra[i + 2];
                        g += bgra[i + 1];
                        b += bgra[i];
                    }
                }
                // Chroma of the 2x2 block's mean colour.
                var mean = YuvColor.From((r + 2) / 4, (g + 2) / 4, (b + 2) / 4);
                u[row / 2 * (width / 2) + col / 2] = mean.U;
                v[row / 2 * (width / 2) + col / 2] = mean.V;
            }
        }
        return new CaptionTile(width, height, y, u, v);
    }
}
