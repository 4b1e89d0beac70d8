using SkiaSharp;

namespace DaprVideo.Media.Drawing;

/// <summary>
/// An RGB colour as limited-range BT.601 Y'CbCr, the matrix ffmpeg uses for untagged video, so a
/// colour written into I420 planes comes back as (nearly) the same RGB after decoding.
/// </summary>
internal readonly record struct YuvColor(byte Y, byte U, byte V)
{
    public static YuvColor From(SKColor c) => From(c.Red, c.Green, c.Blue);

    public static YuvColor From(int r, int g, int b) => new(
        (byte)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16),
        (byte)(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128),
        (byte)(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128));
}
