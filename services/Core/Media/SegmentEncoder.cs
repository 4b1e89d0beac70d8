using System.Globalization;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Media;

/// <summary>
/// Encodes raw frames into one H.264 MPEG-TS segment with libx264. The segment's first
/// presentation time is the stream offset the caller gives (the sum of the previous segments'
/// durations), so segments concatenated by an HLS player have continuous timestamps.
/// </summary>
public sealed class SegmentEncoder
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
        var args = new List<string>
        {
            "-hide_banner", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", pixelFormat == PixelFormat.Rgb24 ? "rgb24" : "bgra",
            "-s", string.Create(CultureInfo.InvariantCulture, $"{format.Width}x{format.Height}"),
            "-framerate", format.FrameRate.ToString(),
            "-i", "pipe:0",
            "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2",
            "-c:v", "libx264", "-preset", _options.Preset,
            "-crf", _options.Crf.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", "yuv420p", "-g", gop.ToString(CultureInfo.InvariantCulture),
            // No mux delay: the first frame's pts is exactly the offset.
            "-f", "mpegts", "-muxdelay", "0", "-muxpreload", "0",
            "-output_ts_offset", (TimelineOriginSeconds + streamOffsetSeconds).ToString("0.######", CultureInfo.InvariantCulture),
            "pipe:1",
        };
        var frameSize = checked(format.Width * format.Height * DecodedFrame.BytesPerPixel(pixelFormat));
        return new SegmentEncoding(FfmpegProcess.Start(_options.Tools.Ffmpeg, args, redirectInput: true), frameSize);
    }
}
