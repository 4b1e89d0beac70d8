namespace DaprVideo.Core.Events;

/// <summary>
/// Ingest stored a raw chunk at <see cref="ChunkKey"/> (claim-check: no bytes in the event).
/// <see cref="Start"/> is the wall-clock time of the chunk's first frame; <see cref="Discontinuity"/>
/// is set on the first chunk after a gap (a reconnect), so the playlist marks it.
/// </summary>
public sealed record ChunkCaptured(
    string StreamId,
    long Sequence,
    string ChunkKey,
    DateTimeOffset Start,
    double DurationSeconds,
    bool Discontinuity);
