using DaprVideo.Core.Video;

namespace DaprVideo.Core.Ports;

/// <summary>Starts the encoding of one annotated segment (adapter: ffmpeg + libx264 in Media/Codec).</summary>
public interface ISegmentEncoder
{
    /// <summary>An encoding of <paramref name="format"/> frames whose first frame shows at <paramref name="streamOffsetSeconds"/>.</summary>
    ISegmentEncoding Start(VideoFormat format, PixelFormat pixelFormat, double streamOffsetSeconds);
}
