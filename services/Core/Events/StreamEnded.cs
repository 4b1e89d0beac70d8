namespace DaprVideo.Core.Events;

/// <summary>
/// A source finished (or was stopped). <see cref="LastSequence"/> is the last chunk captured,
/// -1 when none was; the playlist ends once every sequence up to it is present.
/// </summary>
public sealed record StreamEnded(string StreamId, long LastSequence) : IStreamEvent;
