using System.Runtime.CompilerServices;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Media.Libav;

namespace DaprVideo.Media.Codec;

/// <summary>
/// Decodes an MPEG-TS chunk held in memory into raw frames at the source size and a constant frame
/// rate, so frame i is at i / fps. It runs libavformat and libavcodec in this process (no ffmpeg
/// process, pipe or ffprobe per chunk: starting one costs more than decoding a 3 s chunk of SD video).
/// </summary>
/// <remarks>
/// <see cref="PixelFormat.I420"/> is the fast path: it is H.264's own layout, so the planes are copied
/// as they are (1.5 bytes per pixel). If the picture size changes mid-chunk, later frames are scaled
/// to the first frame's size, so the frame layout never changes within a chunk.
/// </remarks>
public sealed class FrameDecoder(int threads = 0) : IFrameDecoder
{
    /// <summary>Decoder threads per chunk; 0 lets libavcodec choose from the core count.</summary>
    private readonly int _threads = threads is >= 0 and <= 64 ? threads : throw new ArgumentOutOfRangeException(nameof(threads), "Decoder threads must be 0..64.");

    /// <summary>Decodes a chunk at its own size and rate.</summary>
    public IAsyncEnumerable<DecodedFrame> DecodeAsync(
        ReadOnlyMemory<byte> chunk,
        PixelFormat pixelFormat = PixelFormat.Bgra32,
        CancellationToken cancellationToken = default) =>
        Decode(chunk, null, pixelFormat, cancellationToken);

    /// <summary>
    /// Decodes with a known <paramref name="format"/>: frames are scaled to its size and put on its rate.
    /// Frames come in order; each must be disposed by the receiver. Throws <see cref="MediaException"/> on bad media.
    /// </summary>
    public IAsyncEnumerable<DecodedFrame> DecodeAsync(
        ReadOnlyMemory<byte> chunk,
        VideoFormat format,
        PixelFormat pixelFormat = PixelFormat.Bgra32,
        CancellationToken cancellationToken = default)
    {
        format.Validate();
        return Decode(chunk, format, pixelFormat, cancellationToken);
    }

    private async IAsyncEnumerable<DecodedFrame> Decode(
        ReadOnlyMemory<byte> chunk, VideoFormat? format, PixelFormat pixelFormat,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Decoding is CPU work; leave the caller's thread (often a request or the capture loop) at once.
        await Task.Yield();
        using var decoder = new ChunkDemuxDecoder(chunk, format, pixelFormat, _threads);
        while (decoder.Next(cancellationToken) is { } frame)
            yield return frame;
    }
}
