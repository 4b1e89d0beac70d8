using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// An event's id across all streams: <c>{stream}.{trackId}</c> (e.g. <c>door-cam.12</c>). Stream ids never hold a dot,
/// so the split is unambiguous; the track id is the stream tracker's id of the object (ASCII digits only).
/// </summary>
public readonly record struct EventId(StreamId Stream, long TrackId)
{
    public override string ToString() => $"{Stream}.{TrackId.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse([NotNullWhen(true)] string? text, out EventId id)
    {
        id = default;
        if (text is null || text.Length > 100) return false;
        var dot = text.LastIndexOf('.');
        if (dot <= 0 || dot == text.Length - 1) return false;
        var digits = text.AsSpan(dot + 1);
        if (digits.Length > 18 || digits.ContainsAnyExceptInRange('0', '9')) return false;
        if (!StreamId.TryParse(text[..dot], out var stream)) return false;
        var track = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (track < 1) return false;
        id = new EventId(stream, track);
        return true;
    }
}
