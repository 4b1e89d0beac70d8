using DaprVideo.Core.Video;

namespace DaprVideo.Media.Libav;

/// <summary>Where the planes of a tightly packed frame (<see cref="ImageFrame.PackedSize"/>) sit, as libav's plane pointers and strides.</summary>
internal static unsafe class PackedPlanes
{
    /// <summary>Fills <paramref name="planes"/> and <paramref name="strides"/> (4 each) for a packed frame at <paramref name="pixels"/>.</summary>
    public static void Describe(byte* pixels, PixelFormat format, int width, int height, byte** planes, int* strides)
    {
        if (format == PixelFormat.I420)
        {
            var chromaWidth = (width + 1) / 2;
            planes[0] = pixels;
            planes[1] = pixels + width * height;
            planes[2] = planes[1] + chromaWidth * ((height + 1) / 2);
            strides[0] = width;
            strides[1] = strides[2] = chromaWidth;
        }
        else
        {
            planes[0] = pixels;
            strides[0] = width * (format == PixelFormat.Rgb24 ? 3 : 4);
        }
    }

    /// <summary>Copies <paramref name="height"/> rows of <paramref name="width"/> bytes between planes of different strides.</summary>
    public static void Copy(byte* source, int sourceStride, byte* target, int targetStride, int width, int height)
    {
        for (var row = 0; row < height; row++)
            Buffer.MemoryCopy(source + (long)row * sourceStride, target + (long)row * targetStride, width, width);
    }
}
