using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Media.Libav;

namespace DaprVideo.Media.Codec;

/// <summary>
/// Encodes raw frames into one H.264 MPEG-TS segment with libx264, in this process (libavcodec and
/// libavformat: no ffmpeg process or pipe per segment). The segment's first
/// presentation time is the stream offset the caller gives (the sum of the previous segments'
/// durations), so segments concatenated by an HLS player have continuous timestamps.
/// </summary>
public sealed class SegmentEncoder : ISegmentEncoder
{
    private readonly SegmentEncoderOptions _options;
    private readonly EncoderThreadBudget? _budget;

    /// <param name="budget">Shares the cores among the encodes running at once; without it each encode takes
    /// <see cref="SegmentEncoderOptions.Threads"/>.</param>
    public SegmentEncoder(SegmentEncoderOptions? options = null, EncoderThreadBudget? budget = null)
    {
        _options = options ?? new SegmentEncoderOptions();
        _options.Validate();
        _budget = budget;
    }

    /// <summary>
    /// Where stream time 0 sits on the MPEG-TS clock. B-frames decode before they show, so the first
    /// segment's decode times would be negative at origin 0 and the muxer would shift that one segment
    /// alone, breaking continuity; a fixed origin (as Apple's segmenter uses) keeps every segment aligned.
    /// </summary>
    public const double TimelineOriginSeconds = 10;

    /// <summary>
    /// Starts the encoding of one segment of <paramref name="format"/> frames in
    /// <paramref name="pixelFormat"/>, whose first frame is shown at <paramref name="streamOffsetSeconds"/>.
    /// </summary>
    public SegmentEncoding Start(VideoFormat format, PixelFormat pixelFormat, double streamOffsetSeconds)
    {
        format.Validate();
        if (!double.IsFinite(streamOffsetSeconds) || streamOffsetSeconds < 0)
            throw new ArgumentOutOfRangeException(nameof(streamOffsetSeconds), "Stream offset must be a finite, non-negative number of seconds.");
        var gop = Math.Max(1, (int)Math.Ceiling(format.FrameRate.FramesPerSecond * _options.KeyframeIntervalSeconds));
        var lease = _budget?.Start();
        try
        {
            var threads = lease?.Threads ?? _options.Threads;
            return new SegmentEncoding(
                new TsSegmentWriter(format, pixelFormat, TimelineOriginSeconds + streamOffsetSeconds, _options.Preset, _options.Crf, gop, threads),
                format, threads, lease);
        }
        catch
        {
            lease?.Dispose();
            throw;
        }
    }

    ISegmentEncoding ISegmentEncoder.Start(VideoFormat format, PixelFormat pixelFormat, double streamOffsetSeconds) =>
        Start(format, pixelFormat, streamOffsetSeconds);
}
