using System.Text.Json.Serialization;

namespace DaprVideo.Core.Search;

/// <summary>One segment on a viewer timeline: when it plays and which labels it contains (ordered by label).</summary>
/// <param name="Sequence">The segment's sequence number, called <c>segment</c> in the JSON the viewer reads.</param>
/// <param name="AnalysedFps">The rate its frames were analysed at; absent for records that do not say.</param>
public sealed record SegmentSummary(
    [property: JsonPropertyName("segment")] long Sequence,
    DateTimeOffset Start,
    [property: JsonPropertyName("duration")] double DurationSeconds,
    bool Annotated,
    IReadOnlyList<LabelSummary> Labels,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? AnalysedFps = null);
