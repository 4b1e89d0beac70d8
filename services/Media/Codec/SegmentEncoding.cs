using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Media.Ffmpeg;

namespace DaprVideo.Media.Codec;

/// <summary>
/// One running segment encode: write frames in order, then <see cref="CompleteAsync"/> returns the
/// MPEG-TS bytes. Disposing without completing kills the encoder.
/// </summary>
public sealed class SegmentEncoding : ISegmentEncoding
{
    private readonly FfmpegProcess _process;
    private readonly int _frameSize;
    private readonly MemoryStream _output = new();
    private readonly Task _drain;

    internal SegmentEncoding(FfmpegProcess process, VideoFormat format, int frameSize)
    {
        Format = format;
        _process = process;
        _frameSize = frameSize;
        // Read stdout all along: a full pipe would stall the encoder and so our writes.
        _drain = process.StandardOutput.CopyToAsync(_output);
    }

    /// <summary>Size and rate of the frames this encode takes.</summary>
    public VideoFormat Format { get; }

    public int FramesWritten { get; private set; }

    /// <summary>Writes one tightly packed frame of the format given to <see cref="SegmentEncoder.Start"/>.</summary>
    public async Task WriteFrameAsync(ReadOnlyMemory<byte> pixels, CancellationToken cancellationToken = default)
    {
        if (pixels.Length != _frameSize)
            throw new ArgumentException($"Frame has {pixels.Length} bytes; this segment takes {_frameSize}-byte frames.", nameof(pixels));
        try
        {
            await _process.StandardInput.WriteAsync(pixels, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new MediaException($"Encoder stopped taking frames: {_process.LastError}", e);
        }
        FramesWritten++;
    }

    public Task WriteFrameAsync(DecodedFrame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return WriteFrameAsync(frame.Pixels, cancellationToken);
    }

    /// <summary>Ends the input and returns the encoded segment.</summary>
    public async Task<byte[]> CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (FramesWritten == 0) throw new InvalidOperationException("A segment needs at least one frame.");
        try
        {
            await _process.StandardInput.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // broken pipe: the exit code below explains it
        }
        var exit = await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _drain.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (exit != 0) throw new MediaException($"Encoding a segment failed: {_process.LastError}");
        return _output.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _drain.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // stdout torn down by the kill
        }
        await _output.DisposeAsync().ConfigureAwait(false);
    }
}
