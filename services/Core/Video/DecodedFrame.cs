namespace DaprVideo.Core.Video;

/// <summary>
/// One decoded picture in a pooled buffer: tightly packed rows of <see cref="PixelFormat"/>
/// (for I420 the Y, U and V planes back to back, see <see cref="ImageFrame"/>).
/// The receiver owns it and must dispose it (the buffer goes back to <see cref="FramePool"/>).
/// </summary>
public sealed class DecodedFrame : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    internal DecodedFrame(byte[] buffer, int length, int index, double ptsSeconds, VideoFormat format, PixelFormat pixelFormat)
    {
        _buffer = buffer;
        _length = length;
        Index = index;
        PtsSeconds = ptsSeconds;
        Format = format;
        PixelFormat = pixelFormat;
    }

    /// <summary>Position of the frame in its chunk, from 0.</summary>
    public int Index { get; }

    /// <summary>Presentation time relative to the chunk's first frame (frames are constant-rate).</summary>
    public double PtsSeconds { get; }

    public VideoFormat Format { get; }

    public PixelFormat PixelFormat { get; }

    public int Width => Format.Width;

    public int Height => Format.Height;

    /// <summary>Row length in bytes (for I420 of the luma plane).</summary>
    public int Stride => Width * BytesPerPixel(PixelFormat);

    /// <summary>The pixels; writable so the annotator can draw in place.</summary>
    public Memory<byte> Pixels =>
        _buffer is { } b ? b.AsMemory(0, _length) : throw new ObjectDisposedException(nameof(DecodedFrame));

    /// <summary>A borrowed view for the detector; valid until this frame is disposed.</summary>
    public ImageFrame AsImageFrame() => new(Pixels, Width, Height, PixelFormat, Stride);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) FramePool.Shared.Return(buffer);
    }

    internal static int BytesPerPixel(PixelFormat format) => format switch
    {
        PixelFormat.Rgb24 => 3,
        PixelFormat.I420 => 1,
        _ => 4,
    };
}
