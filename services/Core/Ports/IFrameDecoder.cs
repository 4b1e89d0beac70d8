using DaprVideo.Core.Video;

namespace DaprVideo.Core.Ports;

/// <summary>Turns one encoded chunk into raw frames in presentation order (adapter: ffmpeg in Media/Codec).</summary>
public interface IFrameDecoder
{
    /// <summary>Frames of <paramref name="chunk"/>; each must be disposed by the receiver. Throws <see cref="MediaException"/> on bad media.</summary>
    IAsyncEnumerable<DecodedFrame> DecodeAsync(ReadOnlyMemory<byte> chunk, PixelFormat pixelFormat, CancellationToken cancellationToken = default);
}
