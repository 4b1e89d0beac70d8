using DaprVideo.Core.Tracking;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Ports;

/// <summary>Makes an event's pictures from a frame (adapter: JPEG through Skia in Media/Images).</summary>
public interface ISnapshotEncoder
{
    /// <summary>The whole frame and the object's <paramref name="box"/> (with a little margin) cut from it.</summary>
    EventSnapshot Encode(ImageFrame frame, BoundingBox box);
}
