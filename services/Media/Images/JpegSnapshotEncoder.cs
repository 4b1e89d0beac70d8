using System.Buffers;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Tracking;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using SkiaSharp;

namespace DaprVideo.Media.Images;

/// <summary>
/// JPEG snapshots of an event: the frame, scaled down to at most <see cref="MaxFrameSide"/> (a thumbnail list loads
/// dozens of them), and the object's box with a margin of <see cref="Margin"/> of its size each side, at source resolution.
/// The frame is converted to RGB with the same BT.601 limited-range matrix the detector sees (<see cref="FrameResizer"/>).
/// </summary>
public sealed class JpegSnapshotEncoder(int quality = 82) : ISnapshotEncoder
{
    public const int MaxFrameSide = 1280;
    public const float Margin = 0.15f;
    private const int MinCropSide = 16;

    public EventSnapshot Encode(ImageFrame frame, BoundingBox box)
    {
        frame.Validate();
        // Pooled: a frame's RGB copy is a large-object-heap array, and snapshots come at every rise of an event's score.
        var length = frame.Width * frame.Height * 3;
        var rgb = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            FrameResizer.ResizeToRgb(frame, frame.Width, frame.Height, rgb.AsSpan(0, length));
            using var bitmap = ToBitmap(rgb.AsSpan(0, length), frame.Width, frame.Height);
            return new EventSnapshot(EncodeFrame(bitmap), EncodeCrop(bitmap, box));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgb);
        }
    }

    private byte[] EncodeFrame(SKBitmap bitmap)
    {
        var scale = Math.Min(1f, (float)MaxFrameSide / Math.Max(bitmap.Width, bitmap.Height));
        if (scale >= 1f) return Jpeg(bitmap);
        var info = new SKImageInfo(Math.Max(1, (int)(bitmap.Width * scale)), Math.Max(1, (int)(bitmap.Height * scale)), SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var scaled = bitmap.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        return Jpeg(scaled);
    }

    private byte[] EncodeCrop(SKBitmap bitmap, BoundingBox box)
    {
        var (w, h) = (bitmap.Width, bitmap.Height);
        var x0 = (int)Math.Floor((box.X - box.W * Margin) * w);
        var y0 = (int)Math.Floor((box.Y - box.H * Margin) * h);
        var x1 = (int)Math.Ceiling((box.Right + box.W * Margin) * w);
        var y1 = (int)Math.Ceiling((box.Bottom + box.H * Margin) * h);
        // A tiny or degenerate box still gives a small picture around its centre.
        if (x1 - x0 < MinCropSide) (x0, x1) = ((x0 + x1 - MinCropSide) / 2, (x0 + x1 + MinCropSide) / 2);
        if (y1 - y0 < MinCropSide) (y0, y1) = ((y0 + y1 - MinCropSide) / 2, (y0 + y1 + MinCropSide) / 2);
        var rect = SKRectI.Create(Math.Clamp(x0, 0, w - 1), Math.Clamp(y0, 0, h - 1), 0, 0);
        rect.Right = Math.Clamp(x1, rect.Left + 1, w);
        rect.Bottom = Math.Clamp(y1, rect.Top + 1, h);
        using var crop = new SKBitmap();
        if (!bitmap.ExtractSubset(crop, rect)) throw new InvalidOperationException($"Crop {rect} is outside the {w}x{h} frame.");
        return Jpeg(crop);
    }

    private byte[] Jpeg(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    private static SKBitmap ToBitmap(ReadOnlySpan<byte> rgb, int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (int i = 0, o = 0; i < rgb.Length; i += 3, o += 4)
        {
            pixels[o] = rgb[i];
            pixels[o + 1] = rgb[i + 1];
            pixels[o + 2] = rgb[i + 2];
            pixels[o + 3] = 255;
        }
        return bitmap;
    }
}
