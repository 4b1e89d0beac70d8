using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Ports;

/// <summary>
/// The detection port. One call takes a batch of frames (any size, any mix of streams)
/// and returns one list of detections per frame, in the same order.
/// </summary>
public interface IObjectDetector
{
    Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default);
}
