namespace DaprVideo.Core.Tracking;

/// <summary>One page of events, newest first; <see cref="Next"/> is the cursor of the following page, null on the last.</summary>
public sealed record EventPage(IReadOnlyList<TrackEvent> Events, EventCursor? Next);
