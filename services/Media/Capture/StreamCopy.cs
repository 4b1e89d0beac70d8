using DaprVideo.Media.Probing;

namespace DaprVideo.Media.Capture;

/// <summary>
/// When ingest stream-copies a source into MPEG-TS chunks instead of encoding it with libx264, and how.
/// A copy costs no CPU, but a chunk can only start at a keyframe: ffmpeg's segment muxer cuts at the first
/// keyframe at or after each multiple of the segment length (libavformat/segment.c, <c>seg_write_packet</c>), so
/// with keyframes G apart a chunk lasts less than SEGMENT_SECONDS + G when G is at most SEGMENT_SECONDS, and
/// exactly one GOP when G is longer.
/// </summary>
public static class StreamCopy
{
    /// <summary>
    /// Codecs copied: those ffmpeg's MPEG-TS muxer gives a stream type its demuxer reads back and decodes chunk by
    /// chunk (checked with ffmpeg 5.1). MJPEG, VP9, AV1 and Theora come out as opaque private data, so they are encoded.
    /// </summary>
    public static readonly IReadOnlySet<string> Codecs = new HashSet<string>(StringComparer.Ordinal)
    {
        "h264", "hevc", "mpeg4", "mpeg2video", "mpeg1video",
    };

    /// <summary>
    /// The longest keyframe interval copied: twice the segment length, at least 3 s. Twice keeps every chunk of a
    /// regular GOP within 2 × SEGMENT_SECONDS (the playlist's target duration and a live chunk's wait at most double),
    /// while common camera GOPs (1–4 s; a 4 s GOP at the default 3 s gives 4 s chunks) are copied, saving a full
    /// x264 encode per stream at ingest. The 3 s floor copies 2–3 s GOPs at short segment lengths too, and stays
    /// below the 4 s probe window that measures the interval (a longer gap than the window cannot be seen).
    /// </summary>
    public static double MaxKeyframeIntervalSeconds(double segmentSeconds) => Math.Max(2 * segmentSeconds, 3);

    /// <summary>
    /// Whether <see cref="TranscodeMode.Auto"/> copies a source: a codec in <see cref="Codecs"/>, keyframes at most
    /// <see cref="MaxKeyframeIntervalSeconds"/> apart (half a frame of slack) and closed GOPs, so every chunk decodes
    /// on its own from its first frame, and no rotation (a chunk would lose it: <see cref="VideoInfo.Rotation"/>). A
    /// looped file (the demo's camera) is copied only when its codec needs no <see cref="BitstreamFilters"/>: ffmpeg 5.1
    /// flushes them at the end of the first pass and then refuses every packet ("A non-NULL packet sent after an EOF"),
    /// so the camera would stall at its first loop.
    /// </summary>
    public static bool Suits(VideoInfo info, double segmentSeconds, bool loops = false)
    {
        ArgumentNullException.ThrowIfNull(info);
        return Codecs.Contains(info.Codec)
               && !(loops && BitstreamFilters(info.Codec) is not null)
               && !info.OpenGop
               && info.Rotation == 0
               && info.MaxKeyframeIntervalSeconds is { } gap
               && gap <= MaxKeyframeIntervalSeconds(segmentSeconds) + info.Format.FrameRate.FrameDuration / 2;
    }

    /// <summary>
    /// Bitstream filters a copied codec needs in MPEG-TS. MPEG-4 Part 2 and MPEG-1/2 keep their headers (VOL, sequence
    /// header) in the container's extradata in MP4/MKV/AVI and often only once in-band, but each chunk is decoded
    /// alone, so <c>dump_extra</c> repeats them at every keyframe; DivX-style packed B-frames are split by
    /// <c>mpeg4_unpack_bframes</c> (it passes other streams through). H.264 and HEVC need nothing here: the muxer
    /// inserts its own Annex B conversion, which repeats the parameter sets at keyframes.
    /// </summary>
    public static string? BitstreamFilters(string codec) => codec switch
    {
        "mpeg4" => "mpeg4_unpack_bframes,dump_extra=freq=keyframe",
        "mpeg2video" or "mpeg1video" => "dump_extra=freq=keyframe",
        _ => null,
    };
}
