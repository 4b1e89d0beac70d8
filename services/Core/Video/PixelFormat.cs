namespace DaprVideo.Core.Video;

/// <summary>
/// Pixel layouts the pipeline hands around: ffmpeg's rgb24, Skia's BGRA, and planar YUV 4:2:0
/// (ffmpeg's yuv420p), the native layout of H.264 video, which the pipeline decodes to and
/// encodes from without any colour conversion.
/// </summary>
public enum PixelFormat
{
    Rgb24,
    Bgra32,

    /// <summary>
    /// Planar Y, then U (Cb), then V (Cr); chroma at half resolution in both directions (rounded up),
    /// limited range BT.601 as ffmpeg assumes for untagged video. <see cref="ImageFrame.Stride"/> is
    /// the luma stride; chroma rows are <see cref="ImageFrame.ChromaStride"/> bytes.
    /// </summary>
    I420,
}
