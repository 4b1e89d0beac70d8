namespace DaprVideo.Core.Vision;

/// <summary>
/// A decoded picture: tightly or loosely packed rows of <see cref="Format"/> pixels.
/// It borrows its memory; the owner keeps it alive for the duration of a call.
/// </summary>
public readonly record struct ImageFrame(ReadOnlyMemory<byte> Pixels, int Width, int Height, PixelFormat Format, int Stride)
{
    public int BytesPerPixel => Format == PixelFormat.Rgb24 ? 3 : 4;

    public static ImageFrame Rgb(ReadOnlyMemory<byte> pixels, int width, int height) =>
        new(pixels, width, height, PixelFormat.Rgb24, width * 3);

    public static ImageFrame Bgra(ReadOnlyMemory<byte> pixels, int width, int height) =>
        new(pixels, width, height, PixelFormat.Bgra32, width * 4);

    /// <summary>Throws when the buffer cannot hold the described picture.</summary>
    public void Validate()
    {
        if (Width <= 0 || Height <= 0)
            throw new ArgumentException($"Frame size {Width}x{Height} is not positive.");
        if (Stride < Width * BytesPerPixel)
            throw new ArgumentException($"Stride {Stride} is shorter than a row of {Width} pixels.");
        if (Pixels.Length < (long)Stride * (Height - 1) + Width * BytesPerPixel)
            throw new ArgumentException($"Buffer of {Pixels.Length} bytes is too small for {Width}x{Height}.");
    }
}
