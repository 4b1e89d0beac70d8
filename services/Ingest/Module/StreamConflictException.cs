namespace DaprVideo.Ingest;

/// <summary>The stream cannot be started as asked (id taken, too many streams): HTTP 409.</summary>
public sealed class StreamConflictException(string message) : Exception(message);

/// <summary>The host is stopping and takes no new work: HTTP 503.</summary>
public sealed class ServiceStoppingException() : Exception("DaprVideo is stopping and takes no new work; try again once it is back.");

/// <summary>What one <see cref="StreamCaptures.ResumeAsync"/> did: streams resumed, and streams left for a later call (secret store not reachable yet).</summary>
public sealed record ResumeResult(int Resumed, int Waiting);
