using System.Globalization;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Media.Ffmpeg;

namespace DaprVideo.Media.Codec;

/// <summary>
/// Encodes raw frames into one H.264 MPEG-TS segment with libx264. The segment's first
/// presentation time is the stream offset the caller gives (the sum of the previous segments'
/// durations), so segments concatenated by an HLS player have continuous timestamps.
/// </summary>
public sealed class SegmentEncoder : ISegmentEncoder
{
    private readonly SegmentEncoderOptions _options;

    public SegmentEncoder(SegmentEncoderOptions? options = null)
    {
        _options = options ?? new SegmentEncoderOptions();
        _options.Validate();
    }

    /// <summary>
    /// Where stream time 0 sits on the MPEG-TS clock. B-frames decode before they show, so the first
    /// segment's decode times would be negative at origin 0 and the muxer would shift that one segment
    /// alone, breaking continuity; a fixed origin (as Apple's segmenter uses) keeps every segment aligned.
    /// </summary>
    public const double TimelineOriginSeconds = 10;

    /// <summary>
    /// Starts an encoder process for one segment of <paramref name="format"/> frames in
    /// <paramref name="pixelFormat"/>, whose first frame is shown at <paramref name="streamOffsetSeconds"/>.
    /// </summary>
    public SegmentEncoding Start(VideoFormat format, PixelFormat pixelFormat, double streamOffsetSeconds)
    {
        format.Validate();
        if (!double.IsFinite(streamOffsetSeconds) || streamOffsetSeconds < 0)
            throw new ArgumentOutOfRangeException(nameof(streamOffsetSeconds), "Stream offset must be a finite, non-negative number of seconds.");
        var gop = Math.Max(1, (int)Math.Ceiling(format.FrameRate.FramesPerSecond * _options.KeyframeIntervalSeconds));
        var inputFormat = pixelFormat switch
        {
            PixelFormat.I420 => "yuv420p",
            PixelFormat.Rgb24 => "rgb24",
            _ => "bgra",
        };
        var args = new List<string>
        {
            "-hide_banner", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", inputFormat,
            "-s", string.Create(CultureInfo.InvariantCulture, $"{format.Width}x{format.Height}"),
            "-framerate", format.FrameRate.ToString(),
            "-i", "pipe:0",
        };
        // x264's 4:2:0 needs even sides; an I420 frame of even size goes to the encoder untouched.
        if (format.Width % 2 != 0 || format.Height % 2 != 0)
            args.AddRange(["-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2"]);
        args.AddRange(
        [
            "-c:v", "libx264", "-preset", _options.Preset,
            "-crf", _options.Crf.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", "yuv420p", "-g", gop.ToString(CultureInfo.InvariantCulture),
        ]);
        if (_options.Threads > 0) args.AddRange(["-threads", _options.Threads.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(
        [
            // No mux delay: the first frame's pts is exactly the offset.
            "-f", "mpegts", "-muxdelay", "0", "-muxpreload", "0",
            // Each segment is muxed alone, so its continuity counters restart: the first packet of each stream says so
            // (discontinuity_indicator), or a demuxer reading segments back to back counts lost packets.
            "-mpegts_flags", "+initial_discontinuity",
            "-output_ts_offset", (TimelineOriginSeconds + streamOffsetSeconds).ToString("0.######", CultureInfo.InvariantCulture),
            "pipe:1",
        ]);
        var frameSize = ImageFrame.PackedSize(pixelFormat, format.Width, format.Height);
        return new SegmentEncoding(FfmpegProcess.Start(_options.Tools.Ffmpeg, args, redirectInput: true, widePipes: true), format, frameSize);
    }

    ISegmentEncoding ISegmentEncoder.Start(VideoFormat format, PixelFormat pixelFormat, double streamOffsetSeconds) =>
        Start(format, pixelFormat, streamOffsetSeconds);
}
