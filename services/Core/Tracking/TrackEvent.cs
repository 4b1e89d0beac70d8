using System.Text.Json;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// An event: one tracked object's time in view of a stream, stored at <see cref="ObjectKeys.Event"/> and rewritten as
/// it goes on (only the Inference holding the stream's tracker writes it: chunks of a stream are tracked in order).
/// <see cref="End"/> is null while the object is still tracked. Times: <see cref="Start"/>/<see cref="End"/> wall clock
/// (the chunk's start plus the frame's offset); <see cref="StartSeconds"/>/<see cref="EndSeconds"/> on the stream's media
/// timeline, where the player seeks. <see cref="Zones"/>: every zone the object's bottom centre entered, in order of
/// first entry. The snapshot (full frame) and crop are JPEGs of the frame where the score was highest
/// (<see cref="BestSeconds"/>, <see cref="BestBox"/>). <see cref="FirstSequence"/>..<see cref="LastSequence"/>: the
/// segments it appears in.
/// </summary>
public sealed record TrackEvent(
    string Id,
    string Stream,
    long TrackId,
    string Label,
    DateTimeOffset Start,
    DateTimeOffset? End,
    double StartSeconds,
    double? EndSeconds,
    float MaxScore,
    IReadOnlyList<string> Zones,
    long FirstSequence,
    long LastSequence,
    double BestSeconds,
    BoundingBox BestBox,
    string SnapshotKey,
    string CropKey,
    DateTimeOffset UpdatedAt)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool InProgress => End is null;

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, CoreJsonContext.Default.TrackEvent);

    /// <summary>Reads a stored event; bad content throws <see cref="InvalidDataException"/> saying why.</summary>
    public static TrackEvent Parse(ReadOnlySpan<byte> json)
    {
        TrackEvent? e;
        try
        {
            e = JsonSerializer.Deserialize(json, CoreJsonContext.Default.TrackEvent);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Event record is not valid JSON: {ex.Message}", ex);
        }
        if (e is null) throw new InvalidDataException("Event record is JSON null.");
        if (!EventId.TryParse(e.Id, out var id) || id.Stream.Value != e.Stream || id.TrackId != e.TrackId)
            throw new InvalidDataException($"Event record has an id '{e.Id}' that does not match its stream and track.");
        if (e.Zones is null || e.Label is null) throw new InvalidDataException($"Event record {e.Id} lacks its label or zones.");
        return e;
    }
}
