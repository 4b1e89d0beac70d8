using DaprVideo.Core.Video;

namespace DaprVideo.Media.Probing;

/// <summary>
/// What ffprobe found about a source's or chunk's first video stream.
/// Packet figures cover the probed window only (the whole input for a chunk).
/// </summary>
/// <param name="Codec">ffmpeg codec name, e.g. <c>h264</c>.</param>
/// <param name="Format">Picture size and frame rate.</param>
/// <param name="DurationSeconds">Container duration; null when unknown (live).</param>
/// <param name="StartSeconds">Presentation time of the earliest packet.</param>
/// <param name="SpanSeconds">From the earliest packet's start to the latest packet's end.</param>
/// <param name="MaxKeyframeIntervalSeconds">Longest stretch without a keyframe in the window; null without packets.</param>
/// <param name="PacketCount">Video packets seen (frames, for a chunk).</param>
/// <param name="OpenGop">
/// Some packet decoded after a keyframe is shown before it (open GOP, leading pictures), or packets carry no
/// presentation time so that cannot be ruled out (AVI with B-frames): a chunk cut at such a keyframe would start
/// with frames it cannot show, or not mux at all, so ingest does not stream-copy such a source.
/// </param>
/// <param name="Rotation">
/// Degrees the container's display matrix turns the picture (phones record portrait video as landscape frames with a
/// rotation); 0 when none. MPEG-TS cannot carry it, so ingest does not stream-copy such a source: encoding applies it
/// (ffmpeg's autorotate), and the detector and the viewer get upright frames.
/// </param>
public sealed record VideoInfo(
    string Codec,
    VideoFormat Format,
    double? DurationSeconds,
    double StartSeconds,
    double SpanSeconds,
    double? MaxKeyframeIntervalSeconds,
    int PacketCount,
    bool OpenGop = false,
    int Rotation = 0);
