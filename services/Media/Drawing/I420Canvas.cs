using DaprVideo.Core.Video;

namespace DaprVideo.Media.Drawing;

/// <summary>
/// Draws straight into the planes of an I420 frame: solid rectangles and pre-rendered tiles.
/// Chroma is half resolution, so a chroma sample is written when any of its 2x2 luma pixels is
/// covered: an edge keeps its full colour (after encoding too) at the cost of at most one pixel of
/// tint outside it.
/// </summary>
internal readonly ref struct I420Canvas
{
    private readonly Span<byte> _y;
    private readonly Span<byte> _u;
    private readonly Span<byte> _v;
    private readonly ImageFrame _layout;

    public I420Canvas(Span<byte> pixels, in ImageFrame layout)
    {
        _layout = layout;
        _y = pixels[..layout.UOffset];
        _u = pixels.Slice(layout.UOffset, layout.ChromaStride * layout.ChromaHeight);
        _v = pixels[layout.VOffset..];
    }

    public int Width => _layout.Width;

    public int Height => _layout.Height;

    /// <summary>Fills [x0, x1) x [y0, y1), clipped to the frame.</summary>
    public void FillRect(int x0, int y0, int x1, int y1, YuvColor colour)
    {
        x0 = Math.Max(0, x0);
        y0 = Math.Max(0, y0);
        x1 = Math.Min(Width, x1);
        y1 = Math.Min(Height, y1);
        if (x1 <= x0 || y1 <= y0) return;
        for (var y = y0; y < y1; y++)
            _y.Slice(y * _layout.Stride + x0, x1 - x0).Fill(colour.Y);
        int cx0 = x0 / 2, cx1 = (x1 - 1) / 2 + 1, cy0 = y0 / 2, cy1 = (y1 - 1) / 2 + 1;
        for (var y = cy0; y < cy1; y++)
        {
            _u.Slice(y * _layout.ChromaStride + cx0, cx1 - cx0).Fill(colour.U);
            _v.Slice(y * _layout.ChromaStride + cx0, cx1 - cx0).Fill(colour.V);
        }
    }

    /// <summary>Copies <paramref name="tile"/> with its top-left at (<paramref name="x"/>, <paramref name="y"/>), both even, clipped to the frame.</summary>
    public void Blit(CaptionTile tile, int x, int y)
    {
        var w = Math.Min(tile.Width, Width - x);
        var h = Math.Min(tile.Height, Height - y);
        if (w <= 0 || h <= 0 || x < 0 || y < 0) return;
        for (var row = 0; row < h; row++)
            tile.Y.AsSpan(row * tile.Width, w).CopyTo(_y.Slice((y + row) * _layout.Stride + x, w));
        int cw = Math.Min(tile.Width / 2, _layout.ChromaWidth - x / 2), ch = Math.Min(tile.Height / 2, _layout.ChromaHeight - y / 2);
        for (var row = 0; row < ch; row++)
        {
            var at = (y / 2 + row) * _layout.ChromaStride + x / 2;
            tile.U.AsSpan(row * (tile.Width / 2), cw).CopyTo(_u.Slice(at, cw));
            tile.V.AsSpan(row * (tile.Width / 2), cw).CopyTo(_v.Slice(at, cw));
        }
    }
}
