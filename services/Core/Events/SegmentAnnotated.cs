namespace DaprVideo.Core.Events;

/// <summary>Inference stored an annotated segment and its record; keys only.</summary>
public sealed record SegmentAnnotated(
    string StreamId,
    long Sequence,
    string SegmentKey,
    string RecordKey,
    DateTimeOffset Start,
    double DurationSeconds,
    bool Discontinuity,
    bool Annotated) : IStreamEvent;
