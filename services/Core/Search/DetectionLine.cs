using System.Text.Json.Serialization;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Search;

/// <summary>
/// One line of <c>detections.jsonl</c> and one hit of a detection query:
/// <c>{"segment":n,"t":seconds,"detections":[...]}</c>.
/// </summary>
/// <param name="Sequence">The segment's sequence number, <c>segment</c> in the JSON.</param>
public sealed record DetectionLine([property: JsonPropertyName("segment")] long Sequence, double T, IReadOnlyList<Vision.Detection> Detections);
