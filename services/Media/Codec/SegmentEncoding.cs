using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Media.Libav;

namespace DaprVideo.Media.Codec;

/// <summary>
/// One running segment encode: write frames in order, then <see cref="CompleteAsync"/> returns the
/// MPEG-TS bytes. Disposing without completing drops the segment.
/// </summary>
public sealed class SegmentEncoding : ISegmentEncoding
{
    private readonly TsSegmentWriter _writer;
    private readonly int _frameSize;
    private readonly IDisposable? _lease;
    private bool _completed;

    internal SegmentEncoding(TsSegmentWriter writer, VideoFormat format, int threads, IDisposable? lease = null)
    {
        _writer = writer;
        Threads = threads;
        _lease = lease;
        Format = format;
        _frameSize = ImageFrame.PackedSize(writer.PixelFormat, format.Width, format.Height);
    }

    /// <summary>Size and rate of the frames this encode takes.</summary>
    public VideoFormat Format { get; }

    public int FramesWritten { get; private set; }

    /// <summary>x264 threads of this encode (0: x264 chose).</summary>
    public int Threads { get; }

    /// <summary>Writes one tightly packed frame of the format given to <see cref="SegmentEncoder.Start"/>.</summary>
    public Task WriteFrameAsync(ReadOnlyMemory<byte> pixels, CancellationToken cancellationToken = default)
    {
        if (pixels.Length != _frameSize)
            throw new ArgumentException($"Frame has {pixels.Length} bytes; this segment takes {_frameSize}-byte frames.", nameof(pixels));
        if (_completed) throw new InvalidOperationException("The segment is complete.");
        cancellationToken.ThrowIfCancellationRequested();
        _writer.Write(pixels.Span);
        FramesWritten++;
        return Task.CompletedTask;
    }

    public Task WriteFrameAsync(DecodedFrame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return WriteFrameAsync(frame.Pixels, cancellationToken);
    }

    /// <summary>Ends the input and returns the encoded segment.</summary>
    public Task<byte[]> CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (FramesWritten == 0) throw new InvalidOperationException("A segment needs at least one frame.");
        cancellationToken.ThrowIfCancellationRequested();
        _completed = true;
        return Task.FromResult(_writer.Finish());
    }

    public ValueTask DisposeAsync()
    {
        _writer.Dispose();
        _lease?.Dispose();
        return ValueTask.CompletedTask;
    }
}
