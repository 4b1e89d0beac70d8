namespace DaprVideo.Core.Search;

/// <summary>One segment on a viewer timeline: when it plays and which labels it contains (ordered by label).</summary>
public sealed record SegmentSummary(
    long Segment,
    DateTimeOffset Start,
    double DurationSeconds,
    bool Annotated,
    IReadOnlyList<LabelSummary> Labels);
