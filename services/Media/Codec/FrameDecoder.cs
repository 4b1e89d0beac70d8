using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Media.Ffmpeg;
using DaprVideo.Media.Probing;

namespace DaprVideo.Media.Codec;

/// <summary>
/// Decodes an MPEG-TS chunk held in memory (fed to ffmpeg's stdin) into raw frames at the source
/// size and a constant frame rate (read from stdout), so frame i is at i / fps.
/// </summary>
/// <remarks>
/// <see cref="PixelFormat.I420"/> is the fast path: it is H.264's own layout, so ffmpeg converts
/// nothing and sends 1.5 bytes per pixel; it comes as a YUV4MPEG2 stream whose header carries the
/// size and rate, so no ffprobe run is needed first. If the picture size changes mid-chunk, ffmpeg
/// scales later frames to the first frame's size, so the frame layout never changes within a chunk.
/// </remarks>
public sealed class FrameDecoder : IFrameDecoder
{
    private static readonly byte[] FrameMarker = "FRAME"u8.ToArray();

    private readonly FfmpegTools _tools;
    private readonly VideoProbe _probe;

    public FrameDecoder(FfmpegTools? tools = null)
    {
        _tools = tools ?? FfmpegTools.Default;
        _probe = new VideoProbe(_tools);
    }

    /// <summary>Size, rate and timing of a chunk (ffprobe on the bytes).</summary>
    private Task<VideoInfo> ProbeAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default) =>
        _probe.ProbeAsync(chunk, cancellationToken);

    /// <summary>
    /// Decodes a chunk whose format is not known yet: I420 learns it from the decoder's own output;
    /// packed formats probe the chunk first.
    /// </summary>
    public async IAsyncEnumerable<DecodedFrame> DecodeAsync(
        ReadOnlyMemory<byte> chunk,
        PixelFormat pixelFormat = PixelFormat.Bgra32,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerable<DecodedFrame> frames;
        if (pixelFormat == PixelFormat.I420)
        {
            frames = DecodeI420Async(chunk, null, cancellationToken);
        }
        else
        {
            var info = await ProbeAsync(chunk, cancellationToken).ConfigureAwait(false);
            frames = DecodeAsync(chunk, info.Format, pixelFormat, cancellationToken);
        }
        await foreach (var frame in frames.ConfigureAwait(false))
            yield return frame;
    }

    /// <summary>
    /// Decodes with a known <paramref name="format"/> (from <see cref="ProbeAsync"/>): frames are scaled
    /// to its size and rate. Frames come in order; each must be disposed by the receiver.
    /// Throws <see cref="MediaException"/> when ffmpeg fails.
    /// </summary>
    public IAsyncEnumerable<DecodedFrame> DecodeAsync(
        ReadOnlyMemory<byte> chunk,
        VideoFormat format,
        PixelFormat pixelFormat = PixelFormat.Bgra32,
        CancellationToken cancellationToken = default)
    {
        format.Validate();
        return pixelFormat == PixelFormat.I420
            ? DecodeI420Async(chunk, format, cancellationToken)
            : DecodePackedAsync(chunk, format, pixelFormat, cancellationToken);
    }

    private async IAsyncEnumerable<DecodedFrame> DecodePackedAsync(
        ReadOnlyMemory<byte> chunk,
        VideoFormat format,
        PixelFormat pixelFormat,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var frameSize = ImageFrame.PackedSize(pixelFormat, format.Width, format.Height);
        var args = InputArguments(chunk);
        args.AddRange(ForcedFormatArguments(format));
        args.AddRange(["-f", "rawvideo", "-pix_fmt", pixelFormat == PixelFormat.Rgb24 ? "rgb24" : "bgra", "pipe:1"]);
        await using var run = new DecoderRun(_tools, args, chunk);
        var stdout = run.Process.StandardOutput;
        for (var index = 0; ; index++)
        {
            var buffer = await ReadFrameAsync(stdout, frameSize, cancellationToken).ConfigureAwait(false);
            if (buffer is null) break; // end of stream; a partial frame only happens when ffmpeg died, reported below
            yield return new DecodedFrame(buffer, frameSize, index, index * format.FrameRate.FrameDuration, format, pixelFormat);
        }
        await run.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<DecodedFrame> DecodeI420Async(
        ReadOnlyMemory<byte> chunk,
        VideoFormat? forced,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var args = InputArguments(chunk);
        if (forced is { } f) args.AddRange(ForcedFormatArguments(f));
        else args.AddRange(["-fps_mode", "cfr"]);
        args.AddRange(["-f", "yuv4mpegpipe", "-pix_fmt", "yuv420p", "pipe:1"]);
        await using var run = new DecoderRun(_tools, args, chunk);
        var stdout = run.Process.StandardOutput;

        var line = new byte[Y4mHeader.MaxLineLength];
        var header = await ReadLineAsync(stdout, line, cancellationToken).ConfigureAwait(false);
        if (header is null)
        {
            // No output at all: ffmpeg could not decode anything (its exit code says why), or there were no frames.
            await run.CompleteAsync(cancellationToken).ConfigureAwait(false);
            yield break;
        }
        var format = Y4mHeader.Parse(header);
        if (forced is { } expected && (expected.Width, expected.Height) != (format.Width, format.Height))
            throw new MediaException($"Decoder produced {format.Width}x{format.Height} frames, not the {expected.Width}x{expected.Height} asked for.");
        var frameSize = ImageFrame.PackedSize(PixelFormat.I420, format.Width, format.Height);

        for (var index = 0; ; index++)
        {
            var marker = await ReadLineAsync(stdout, line, cancellationToken).ConfigureAwait(false);
            if (marker is null) break;
            if (!marker.StartsWith("FRAME", StringComparison.Ordinal))
                throw new MediaException("Decoder output lost its frame markers.");
            var buffer = await ReadFrameAsync(stdout, frameSize, cancellationToken).ConfigureAwait(false);
            if (buffer is null) break;
            yield return new DecodedFrame(buffer, frameSize, index, index * format.FrameRate.FrameDuration, format, PixelFormat.I420);
        }
        await run.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static List<string> InputArguments(ReadOnlyMemory<byte> chunk)
    {
        if (chunk.IsEmpty) throw new MediaException("Chunk is empty (0 bytes), not MPEG-TS video.");
        return
        [
            "-hide_banner", "-loglevel", "error",
            "-protocol_whitelist", "pipe", "-f", "mpegts", "-i", "pipe:0",
            "-map", "0:v:0", "-an", "-sn", "-dn",
        ];
    }

    // Force the probed size so a mid-chunk size change cannot garble the frame layout.
    private static string[] ForcedFormatArguments(VideoFormat format) =>
    [
        "-vf", string.Create(CultureInfo.InvariantCulture, $"scale={format.Width}:{format.Height}"),
        "-fps_mode", "cfr", "-r", format.FrameRate.ToString(),
    ];

    /// <summary>A pooled buffer holding the next frame, or null at the end of the stream.</summary>
    private static async Task<byte[]?> ReadFrameAsync(Stream stdout, int frameSize, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(frameSize);
        try
        {
            var read = await stdout.ReadAtLeastAsync(buffer.AsMemory(0, frameSize), frameSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read == frameSize) return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        ArrayPool<byte>.Shared.Return(buffer);
        return null;
    }

    /// <summary>
    /// One YUV4MPEG2 line without its newline; null at the end of the stream. A frame line is
    /// exactly <c>FRAME\n</c> from ffmpeg, so it is read in one call; anything longer byte by byte.
    /// </summary>
    private static async Task<string?> ReadLineAsync(Stream stdout, byte[] line, CancellationToken cancellationToken)
    {
        var length = await stdout.ReadAtLeastAsync(line.AsMemory(0, FrameMarker.Length + 1), FrameMarker.Length + 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (length == 0) return null;
        if (length < FrameMarker.Length + 1) throw new MediaException("Decoder output ended inside a header.");
        while (line[length - 1] != (byte)'\n')
        {
            if (length == line.Length) throw new MediaException("Decoder output has an over-long header line.");
            if (await stdout.ReadAsync(line.AsMemory(length, 1), cancellationToken).ConfigureAwait(false) == 0)
                throw new MediaException("Decoder output ended inside a header.");
            length++;
        }
        return Encoding.ASCII.GetString(line, 0, length - 1);
    }

    /// <summary>One ffmpeg decode process fed with the chunk; disposing kills it if still running.</summary>
    private sealed class DecoderRun : IAsyncDisposable
    {
        private readonly CancellationTokenSource _feedCancel = new();
        private readonly Task _feed;
        private readonly int _chunkLength;

        public DecoderRun(FfmpegTools tools, List<string> args, ReadOnlyMemory<byte> chunk)
        {
            Process = FfmpegProcess.Start(tools.Ffmpeg, args, redirectInput: true, widePipes: true);
            _feed = Process.FeedInputAsync(chunk, _feedCancel.Token);
            _chunkLength = chunk.Length;
        }

        public FfmpegProcess Process { get; }

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            var exit = await Process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (exit != 0)
                throw new MediaException($"Decoding a chunk of {_chunkLength} bytes failed: {Process.LastError}");
        }

        public async ValueTask DisposeAsync()
        {
            await _feedCancel.CancelAsync().ConfigureAwait(false);
            await Process.DisposeAsync().ConfigureAwait(false);
            try
            {
                await _feed.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the consumer stopped early
            }
            _feedCancel.Dispose();
        }
    }
}
