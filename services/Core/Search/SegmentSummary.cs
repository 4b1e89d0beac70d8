using System.Text.Json.Serialization;

namespace DaprVideo.Core.Search;

/// <summary>One segment on a viewer timeline: when it plays and which labels it contains (ordered by label).</summary>
/// <param name="Sequence">The segment's sequence number, called <c>segment</c> in the JSON the viewer reads.</param>
public sealed record SegmentSummary(
    [property: JsonPropertyName("segment")] long Sequence,
    DateTimeOffset Start,
    [property: JsonPropertyName("duration")] double DurationSeconds,
    bool Annotated,
    IReadOnlyList<LabelSummary> Labels);
