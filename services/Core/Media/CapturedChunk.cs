namespace DaprVideo.Core.Media;

/// <summary>
/// One finished MPEG-TS chunk. <see cref="Start"/> is the wall-clock time of its first frame
/// (capture start plus media time, for files); <see cref="Discontinuity"/> marks the first chunk
/// after a reconnect. The bytes are in memory: the scratch file is already gone.
/// </summary>
public sealed record CapturedChunk(
    long Sequence,
    byte[] Bytes,
    DateTimeOffset Start,
    double DurationSeconds,
    bool Discontinuity,
    int FrameCount);
