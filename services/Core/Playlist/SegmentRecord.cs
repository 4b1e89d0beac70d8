using System.Text.Json;
using System.Text.Json.Serialization;
using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Playlist;

/// <summary>
/// The JSON stored next to each annotated segment (<see cref="ObjectKeys.SegmentRecord"/>): its timing,
/// whether it follows a gap, and every analysed frame. <see cref="Annotated"/> is false when the
/// detector was unavailable and the segment went out unannotated. <see cref="Bytes"/> is the size of the
/// annotated segment (<c>"bytes"</c>; absent from records stored before it was added, read as null).
/// <see cref="AnalysedFps"/> is the rate its frames were sampled for detection at and <see cref="DetectFps"/> the rate
/// asked for (DETECT_FPS): below it under overload (<c>AnalysisRateController</c>). Both are absent from records
/// written before they existed.
/// </summary>
public sealed record SegmentRecord(
    string StreamId,
    long Sequence,
    DateTimeOffset Start,
    [property: JsonPropertyName("duration")] double DurationSeconds,
    bool Discontinuity,
    bool Annotated,
    IReadOnlyList<AnalysedFrame> Frames,
    long? Bytes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? AnalysedFps = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DetectFps = null)
{
    /// <summary>Analysed below the rate asked for (the pipeline was overloaded).</summary>
    [JsonIgnore]
    public bool Degraded => AnalysedFps is { } analysed && DetectFps is { } asked && analysed < asked - 1e-9;

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, CoreJsonContext.Default.SegmentRecord);

    /// <summary>Reads and validates a stored record; bad content throws <see cref="InvalidDataException"/> with one line saying why.</summary>
    public static SegmentRecord Parse(ReadOnlySpan<byte> json)
    {
        SegmentRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(json, CoreJsonContext.Default.SegmentRecord);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Segment record is not valid JSON: {e.Message}", e);
        }
        if (record is null)
            throw new InvalidDataException("Segment record is JSON null.");
        record.Validate();
        return record;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when a field is out of range (records come from the store, so they are input).</summary>
    public void Validate()
    {
        if (!Streams.StreamId.TryParse(StreamId, out _))
            throw new InvalidDataException($"Segment record has an invalid stream id '{StreamId}'.");
        if (Sequence < 0)
            throw new InvalidDataException($"Segment record {StreamId}/{Sequence} has a negative sequence.");
        if (!double.IsFinite(DurationSeconds) || DurationSeconds <= 0)
            throw new InvalidDataException($"Segment record {StreamId}/{Sequence} has duration {DurationSeconds}; it must be a positive number of seconds.");
        if (AnalysedFps is { } fps && (!double.IsFinite(fps) || fps <= 0))
            throw new InvalidDataException($"Segment record {StreamId}/{Sequence} has analysedFps {fps}; it must be a positive number.");
        if (DetectFps is { } asked && (!double.IsFinite(asked) || asked <= 0))
            throw new InvalidDataException($"Segment record {StreamId}/{Sequence} has detectFps {asked}; it must be a positive number.");
        if (Bytes is < 0)
            throw new InvalidDataException($"Segment record {StreamId}/{Sequence} has a negative size.");
        if (Frames is null)
            throw new InvalidDataException($"Segment record {StreamId}/{Sequence} has no frames list.");
        foreach (var frame in Frames)
        {
            if (frame is null || !double.IsFinite(frame.T) || frame.T < 0)
                throw new InvalidDataException($"Segment record {StreamId}/{Sequence} has a frame with an invalid time.");
            if (frame.Detections is null || frame.Detections.Any(d => d is null || d.Label is null))
                throw new InvalidDataException($"Segment record {StreamId}/{Sequence} has a frame at t={frame.T} with invalid detections.");
        }
    }
}
