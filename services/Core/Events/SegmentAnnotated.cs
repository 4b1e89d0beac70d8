namespace DaprVideo.Core.Events;

/// <summary>
/// Inference stored an annotated segment and its record; keys only. <see cref="AnalysedFps"/>: the rate its frames were
/// analysed at (as in the record; null from producers that predate it).
/// </summary>
public sealed record SegmentAnnotated(
    string StreamId,
    long Sequence,
    string SegmentKey,
    string RecordKey,
    DateTimeOffset Start,
    double DurationSeconds,
    bool Discontinuity,
    bool Annotated,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    double? AnalysedFps = null) : IStreamEvent;
