namespace DaprVideo.Core.Tracking;

/// <summary>An event still in progress, as handed from one chunk to the next: the record so far and when its object was last seen.</summary>
public sealed record OpenEvent(TrackEvent Event, double LastSeen, DateTimeOffset LastSeenAt);
