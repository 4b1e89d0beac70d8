namespace DaprVideo.Core.Search;

/// <summary>How often a label was detected in one segment, and its best score.</summary>
public sealed record LabelSummary(string Label, int Count, float MaxScore);
