namespace DaprVideo.Ingest;

/// <summary>The stream cannot be started as asked (id taken, too many streams): HTTP 409.</summary>
public sealed class StreamConflictException(string message) : Exception(message);
