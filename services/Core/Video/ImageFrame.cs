namespace DaprVideo.Core.Video;

/// <summary>
/// A decoded picture: tightly or loosely packed rows of <see cref="Format"/> pixels.
/// It borrows its memory; the owner keeps it alive for the duration of a call.
/// For <see cref="PixelFormat.I420"/> the buffer holds the three planes back to back
/// (Y: <see cref="Stride"/> x <see cref="Height"/>, then U and V: <see cref="ChromaStride"/> x <see cref="ChromaHeight"/>).
/// </summary>
public readonly record struct ImageFrame(ReadOnlyMemory<byte> Pixels, int Width, int Height, PixelFormat Format, int Stride)
{
    /// <summary>Bytes per pixel of packed formats; 1 for I420 (its luma plane).</summary>
    public int BytesPerPixel => Format switch
    {
        PixelFormat.Rgb24 => 3,
        PixelFormat.I420 => 1,
        _ => 4,
    };

    /// <summary>Chroma plane size of I420: half the luma size, rounded up (ffmpeg's layout).</summary>
    public int ChromaWidth => (Width + 1) / 2;

    public int ChromaHeight => (Height + 1) / 2;

    /// <summary>Row length of the I420 chroma planes.</summary>
    public int ChromaStride => (Stride + 1) / 2;

    /// <summary>Where the U plane starts in <see cref="Pixels"/> (I420).</summary>
    public int UOffset => Stride * Height;

    /// <summary>Where the V plane starts in <see cref="Pixels"/> (I420).</summary>
    public int VOffset => UOffset + ChromaStride * ChromaHeight;

    public static ImageFrame Rgb(ReadOnlyMemory<byte> pixels, int width, int height) =>
        new(pixels, width, height, PixelFormat.Rgb24, width * 3);

    public static ImageFrame Bgra(ReadOnlyMemory<byte> pixels, int width, int height) =>
        new(pixels, width, height, PixelFormat.Bgra32, width * 4);

    public static ImageFrame I420(ReadOnlyMemory<byte> pixels, int width, int height) =>
        new(pixels, width, height, PixelFormat.I420, width);

    /// <summary>Bytes of a tightly packed frame of this format and size.</summary>
    public static int PackedSize(PixelFormat format, int width, int height) => format switch
    {
        PixelFormat.I420 => checked(width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2)),
        PixelFormat.Rgb24 => checked(width * height * 3),
        _ => checked(width * height * 4),
    };

    /// <summary>Throws when the buffer cannot hold the described picture.</summary>
    public void Validate()
    {
        if (Width <= 0 || Height <= 0)
            throw new ArgumentException($"Frame size {Width}x{Height} is not positive.");
        if (Stride < Width * BytesPerPixel)
            throw new ArgumentException($"Stride {Stride} is shorter than a row of {Width} pixels.");
        var needed = Format == PixelFormat.I420
            ? (long)VOffset + (long)ChromaStride * (ChromaHeight - 1) + ChromaWidth
            : (long)Stride * (Height - 1) + Width * BytesPerPixel;
        if (Pixels.Length < needed)
            throw new ArgumentException($"Buffer of {Pixels.Length} bytes is too small for {Width}x{Height}.");
    }
}
