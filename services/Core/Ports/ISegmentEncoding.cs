using DaprVideo.Core.Video;

namespace DaprVideo.Core.Ports;

/// <summary>One segment being encoded: frames go in, in order; the finished MPEG-TS bytes come out.</summary>
public interface ISegmentEncoding : IAsyncDisposable
{
    VideoFormat Format { get; }

    int FramesWritten { get; }

    Task WriteFrameAsync(DecodedFrame frame, CancellationToken cancellationToken = default);

    Task<byte[]> CompleteAsync(CancellationToken cancellationToken = default);
}
