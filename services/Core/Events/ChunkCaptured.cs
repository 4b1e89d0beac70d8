namespace DaprVideo.Core.Events;

/// <summary>
/// Ingest stored a raw chunk at <see cref="ChunkKey"/> (claim-check: no bytes in the event).
/// <see cref="Start"/> is the wall-clock time of the chunk's first frame; <see cref="Discontinuity"/>
/// is set on the first chunk after a gap (a reconnect), so the playlist marks it.
/// <see cref="OffsetSeconds"/> is where the chunk starts on the stream's media timeline: segments
/// are encoded with it so timestamps run on across segments. <see cref="Zones"/>: the stream's zones (small, so they
/// travel with each chunk and any Inference replica can place tracked objects in them; null when it has none).
/// </summary>
public sealed record ChunkCaptured(
    string StreamId,
    long Sequence,
    string ChunkKey,
    DateTimeOffset Start,
    double OffsetSeconds,
    double DurationSeconds,
    bool Discontinuity,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<Streams.Zone>? Zones = null) : IStreamEvent;
