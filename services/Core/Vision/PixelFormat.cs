namespace DaprVideo.Core.Vision;

/// <summary>Pixel layouts the pipeline hands around: ffmpeg's rgb24 and Skia's BGRA.</summary>
public enum PixelFormat
{
    Rgb24,
    Bgra32,
}
