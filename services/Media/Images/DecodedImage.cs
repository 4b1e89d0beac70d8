using DaprVideo.Core.Video;
using SkiaSharp;

namespace DaprVideo.Media.Images;

/// <summary>
/// A still image (PNG, JPEG, WebP, ...) decoded to BGRA pixels, for the <c>detect</c> command and
/// for model-server requests that carry encoded images.
/// </summary>
public sealed class DecodedImage
{
    private readonly byte[] _pixels;

    private DecodedImage(byte[] pixels, int width, int height)
    {
        _pixels = pixels;
        Width = width;
        Height = height;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Largest side accepted, so a hostile header cannot make us allocate gigabytes.</summary>
    public const int MaxSide = 16384;

    public ImageFrame Frame => ImageFrame.Bgra(_pixels, Width, Height);

    /// <summary>Decodes <paramref name="encoded"/>; throws <see cref="InvalidDataException"/> when it is not a readable image.</summary>
    public static DecodedImage Decode(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException("Not an image (no known image format recognised).");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width is < 1 or > MaxSide || height is < 1 or > MaxSide)
            throw new InvalidDataException($"Image size {width}x{height} is outside 1..{MaxSide} per side.");

        var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Unpremul);
        var result = codec.GetPixels(info, out var pixels);
        // A truncated file still yields its decoded rows; anything else means no picture.
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new InvalidDataException($"The image could not be decoded ({result}).");
        return new DecodedImage(pixels, width, height);
    }
}
