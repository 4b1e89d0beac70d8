namespace DaprVideo.Core.Tracking;

/// <summary>Tracker tuning (defaults chosen for 2-10 analysed frames per second; see the tracker tests for why).</summary>
public sealed record TrackerOptions
{
}
