namespace DaprVideo.Core.Events;

/// <summary>
/// An event started, changed (higher score, a new zone) or ended (<see cref="Change"/>: <c>started</c>, <c>updated</c>,
/// <c>ended</c>). Claim-check: the event's fields and the keys of its record and JPEGs, never image bytes. Published on
/// <see cref="Topics.Events"/> by the Inference that tracks the stream; Playlist indexes it, the Notifier forwards
/// starts and ends to output bindings.
/// </summary>
public sealed record TrackEventChanged(
    string StreamId,
    string EventId,
    string Change,
    string Label,
    DateTimeOffset Start,
    DateTimeOffset? End,
    double StartSeconds,
    double? EndSeconds,
    float MaxScore,
    IReadOnlyList<string> Zones,
    string EventKey,
    string SnapshotKey,
    string CropKey) : IStreamEvent
{
    public const string Started = "started";
    public const string Updated = "updated";
    public const string Ended = "ended";
}
