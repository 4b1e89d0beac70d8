using System.Text.Json.Serialization;

namespace DaprVideo.Core.Search;

/// <summary>One segment on a viewer timeline: when it plays and which labels it contains (ordered by label).</summary>
public sealed record SegmentSummary(
    long Segment,
    DateTimeOffset Start,
    [property: JsonPropertyName("duration")] double DurationSeconds,
    bool Annotated,
    IReadOnlyList<LabelSummary> Labels);
