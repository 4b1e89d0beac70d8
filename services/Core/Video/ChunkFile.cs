namespace DaprVideo.Core.Video;

/// <summary>
/// One finished MPEG-TS chunk file the capture produced (the media result; the event announcing
/// it is <c>ChunkCaptured</c>). <see cref="Start"/> is the wall-clock time of its first frame
/// (capture start plus media time, for files); <see cref="Discontinuity"/> marks the first chunk
/// after a reconnect. The bytes are in memory: the scratch file is already gone.
/// </summary>
public sealed record ChunkFile(
    long Sequence,
    byte[] Bytes,
    DateTimeOffset Start,
    double DurationSeconds,
    bool Discontinuity,
    int FrameCount);
