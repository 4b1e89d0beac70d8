namespace DaprVideo.Core.Tracking;

/// <summary>A tracker's state between chunks (JSON): CONTRACT SKELETON, fields land with the tracker work.</summary>
public sealed record TrackerState(long NextId, double LastT);
