using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Media;

/// <summary>
/// Decodes an MPEG-TS chunk held in memory (fed to ffmpeg's stdin) into raw frames at the source
/// size and a constant frame rate (read from stdout), so frame i is at i / fps.
/// </summary>
public sealed class FrameDecoder
{
    private readonly FfmpegTools _tools;
    private readonly VideoProbe _probe;

    public FrameDecoder(FfmpegTools? tools = null)
    {
        _tools = tools ?? FfmpegTools.Default;
        _probe = new VideoProbe(_tools);
    }

    /// <summary>Size, rate and timing of a chunk (ffprobe on the bytes).</summary>
    public Task<VideoInfo> ProbeAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default) =>
        _probe.ProbeAsync(chunk, cancellationToken);

    /// <summary>Probes the chunk, then decodes it.</summary>
    public async IAsyncEnumerable<DecodedFrame> DecodeAsync(
        ReadOnlyMemory<byte> chunk,
        PixelFormat pixelFormat = PixelFormat.Bgra32,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var info = await ProbeAsync(chunk, cancellationToken).ConfigureAwait(false);
        await foreach (var frame in DecodeAsync(chunk, info.Format, pixelFormat, cancellationToken).ConfigureAwait(false))
            yield return frame;
    }

    /// <summary>
    /// Decodes with a known <paramref name="format"/> (from <see cref="ProbeAsync"/>). Frames come in
    /// order; each must be disposed by the receiver. Throws <see cref="MediaException"/> when ffmpeg fails.
    /// </summary>
    public async IAsyncEnumerable<DecodedFrame> DecodeAsync(
        ReadOnlyMemory<byte> chunk,
        VideoFormat format,
        PixelFormat pixelFormat = PixelFormat.Bgra32,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        format.Validate();
        if (chunk.IsEmpty) throw new MediaException("Chunk is empty (0 bytes), not MPEG-TS video.");
        var frameSize = checked(format.Width * format.Height * DecodedFrame.BytesPerPixel(pixelFormat));
        var pixFmt = pixelFormat == PixelFormat.Rgb24 ? "rgb24" : "bgra";
        var args = new List<string>
        {
            "-hide_banner", "-loglevel", "error",
            "-protocol_whitelist", "pipe", "-f", "mpegts", "-i", "pipe:0",
            "-map", "0:v:0", "-an", "-sn", "-dn",
            // Force the probed size so a mid-chunk size change cannot garble the frame layout.
            "-vf", string.Create(CultureInfo.InvariantCulture, $"scale={format.Width}:{format.Height}"),
            "-fps_mode", "cfr", "-r", format.FrameRate.ToString(),
            "-f", "rawvideo", "-pix_fmt", pixFmt, "pipe:1",
        };

        using var feedCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var process = FfmpegProcess.Start(_tools.Ffmpeg, args, redirectInput: true);
        var feed = process.FeedInputAsync(chunk, feedCancel.Token);
        try
        {
            var stdout = process.StandardOutput;
            for (var index = 0; ; index++)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(frameSize);
                int read;
                try
                {
                    read = await stdout.ReadAtLeastAsync(buffer.AsMemory(0, frameSize), frameSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
                if (read < frameSize)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break; // end of stream; a partial frame only happens when ffmpeg died, reported below
                }
                yield return new DecodedFrame(buffer, frameSize, index, index * format.FrameRate.FrameDuration, format, pixelFormat);
            }

            var exit = await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (exit != 0)
                throw new MediaException($"Decoding a chunk of {chunk.Length} bytes failed: {process.LastError}");
        }
        finally
        {
            await feedCancel.CancelAsync().ConfigureAwait(false);
            await process.DisposeAsync().ConfigureAwait(false);
            try
            {
                await feed.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the consumer stopped early
            }
        }
    }
}
