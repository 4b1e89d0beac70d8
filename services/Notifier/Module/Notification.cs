using System.Globalization;
using System.Text.Json;
using DaprVideo.Core;
using DaprVideo.Core.Events;
using DaprVideo.Core.Tracking;

namespace DaprVideo.Notifier;

/// <summary>
/// What is sent to people when an event starts or ends, in both modes: the <see cref="TrackEventChanged"/> itself as
/// JSON (the pipeline's camelCase shape, <see cref="CoreJsonContext"/>), so a receiver reads the same document the
/// <c>events</c> topic carries: ids, label, times, score, zones and the keys of the record and its JPEGs (claim-check:
/// never image bytes). <see cref="Key"/> names this change of this event: a receiver that sees it twice (a redelivery)
/// can drop the second.
/// </summary>
public sealed record Notification
{
    /// <summary>The body's media type (also what bindings.http sends by default).</summary>
    public const string ContentType = "application/json";

    /// <summary>The header (and binding metadata) that carries <see cref="Key"/>.</summary>
    public const string KeyHeader = "Idempotency-Key";

    private Notification(TrackEventChanged change, string key, byte[] body)
    {
        Change = change;
        Key = key;
        Body = body;
    }

    public TrackEventChanged Change { get; }

    /// <summary><c>{eventId}:{change}</c> for a start or an end (each happens once per event); an update adds its score and zone count.</summary>
    public string Key { get; }

    /// <summary>The JSON sent: the change as the topic carries it.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// The notification for <paramref name="change"/>, or null when <paramref name="filter"/> does not send this kind of
    /// change. A change that is not one (unknown kind, bad event id) throws <see cref="InvalidDataException"/>: a poison
    /// message, not a failure to retry.
    /// </summary>
    public static Notification? For(TrackEventChanged change, NotificationFilter filter)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(filter);
        if (!EventId.TryParse(change.EventId, out var id) || id.Stream.Value != change.StreamId)
            throw new InvalidDataException($"Event change has an id '{change.EventId}' that does not belong to stream '{change.StreamId}'.");
        var key = change.Change switch
        {
            TrackEventChanged.Started or TrackEventChanged.Ended => $"{change.EventId}:{change.Change}",
            TrackEventChanged.Updated => string.Create(CultureInfo.InvariantCulture,
                $"{change.EventId}:{change.Change}:{change.MaxScore:R}:{change.Zones?.Count ?? 0}"),
            _ => throw new InvalidDataException($"Event {change.EventId} has an unknown change '{change.Change}' (started, updated or ended)."),
        };
        if (!filter.Sends(change.Change)) return null;
        return new Notification(change, key, JsonSerializer.SerializeToUtf8Bytes(change, CoreJsonContext.Default.TrackEventChanged));
    }
}
