namespace DaprVideo.Core.Vision;

/// <summary>A candidate box for one class before suppression.</summary>
public readonly record struct ScoredBox(BoundingBox Box, float Score, int ClassId);
