namespace DaprVideo.Core.Search;

/// <summary>
/// One line of <c>detections.jsonl</c> and one hit of a detection query:
/// <c>{"segment":n,"t":seconds,"detections":[...]}</c>.
/// </summary>
public sealed record DetectionLine(long Segment, double T, IReadOnlyList<Vision.Detection> Detections);
