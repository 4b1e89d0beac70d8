namespace DaprVideo.Core.Events;

/// <summary>
/// Ingest deleted an ended stream and all of its objects (<c>DELETE /api/streams/{id}?purge=true</c>); Playlist forgets
/// it. <see cref="StartedAt"/> is when the purged stream was started: a stream created again under the same id starts
/// later, so a late or redelivered purge never touches it.
/// </summary>
public sealed record StreamPurged(string StreamId, DateTimeOffset StartedAt) : IStreamEvent;
