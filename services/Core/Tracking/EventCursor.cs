using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// Where a page of events (newest first) stopped: the last event's start and id. The next page holds the events after
/// it in that order, so events that start or change meanwhile never shift a page (an event that starts later than the
/// cursor simply is not on the following pages). Opaque to clients: base64url of <c>{utcTicks}:{eventId}</c>.
/// </summary>
public readonly record struct EventCursor(DateTimeOffset Start, string EventId)
{
    public static EventCursor After(TrackEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new EventCursor(e.Start, e.Id);
    }

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{Start.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{EventId}"));

    public static bool TryDecode([NotNullWhen(true)] string? text, out EventCursor cursor)
    {
        cursor = default;
        if (text is null || text.Length > 200 || !Base64Url.IsValid(text)) return false;
        var plain = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text));
        var colon = plain.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(plain.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks || !Tracking.EventId.TryParse(plain[(colon + 1)..], out var id))
            return false;
        cursor = new EventCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id.ToString());
        return true;
    }

    /// <summary>Newest start first; among equal starts, ids in descending ordinal order (a total order: ids are unique).</summary>
    public static int Compare(DateTimeOffset startA, string idA, DateTimeOffset startB, string idB)
    {
        var byStart = startB.UtcTicks.CompareTo(startA.UtcTicks);
        return byStart != 0 ? byStart : string.CompareOrdinal(idB, idA);
    }
}
