using System.Collections.Concurrent;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Media.Drawing;

/// <summary>
/// The pipeline's <see cref="IFrameAnnotator"/>: a <see cref="FrameAnnotator"/> holds a Skia typeface and a caption
/// cache and is not thread-safe, so each call rents one (as many exist as frames are drawn at once) and returns it.
/// </summary>
public sealed class FrameAnnotatorPool(FrameAnnotatorOptions? options = null) : IFrameAnnotator, IDisposable
{
    private readonly ConcurrentBag<FrameAnnotator> _idle = [];

    public void Annotate(DecodedFrame frame, IReadOnlyList<Detection> detections)
    {
        var annotator = _idle.TryTake(out var idle) ? idle : new FrameAnnotator(options);
        try
        {
            annotator.Annotate(frame, detections);
        }
        finally
        {
            _idle.Add(annotator);
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var annotator)) annotator.Dispose();
    }
}
