using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Ports;

/// <summary>Draws detections onto a frame in place (adapter: Skia in Media/Drawing). Safe to call from several chunks at once.</summary>
public interface IFrameAnnotator
{
    void Annotate(DecodedFrame frame, IReadOnlyList<Detection> detections);
}
