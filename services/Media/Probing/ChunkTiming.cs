namespace DaprVideo.Media.Probing;

/// <summary>
/// Where a chunk's video sits on its stream clock, read from its own packets (<see cref="TransportStreamTiming"/>);
/// the same figures <see cref="VideoProbe"/> gives for chunk bytes, without starting ffprobe.
/// </summary>
/// <param name="Codec">ffmpeg codec name for the stream type the PMT declares, e.g. <c>h264</c>.</param>
/// <param name="StartSeconds">Presentation time of the earliest frame.</param>
/// <param name="SpanSeconds">From the earliest frame's start to the latest frame's end (its presentation time plus one frame).</param>
/// <param name="FrameCount">Video PES packets with a presentation time: access units, as ffmpeg's muxer writes one per PES.</param>
public sealed record ChunkTiming(string Codec, double StartSeconds, double SpanSeconds, int FrameCount);
