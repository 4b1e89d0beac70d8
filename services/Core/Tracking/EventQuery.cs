namespace DaprVideo.Core.Tracking;

/// <summary>
/// Which events a search wants: <see cref="Label"/> (case-insensitive), one of its <see cref="Zone"/>s, overlapping
/// [<see cref="From"/>, <see cref="To"/>] (an event in progress reaches to now and beyond), a
/// <see cref="MinScore"/> its best score reaches. Null fields do not filter.
/// </summary>
public sealed record EventQuery(string? Label = null, string? Zone = null, DateTimeOffset? From = null, DateTimeOffset? To = null, float? MinScore = null)
{
    public static readonly EventQuery All = new();

    public bool Matches(TrackEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (Label is not null && !string.Equals(e.Label, Label, StringComparison.OrdinalIgnoreCase)) return false;
        if (Zone is not null && !e.Zones.Contains(Zone, StringComparer.Ordinal)) return false;
        if (To is { } to && e.Start > to) return false;
        if (From is { } from && e.End is { } end && end < from) return false;
        return MinScore is not { } min || e.MaxScore >= min;
    }
}
