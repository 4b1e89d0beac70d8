using System.Text.RegularExpressions;

namespace DaprVideo.Core.Streams;

/// <summary>
/// A named area of a stream's picture: a polygon in coordinates normalised to 0..1 of the frame, origin top-left
/// (<c>{"name":"door","points":[[0.1,0.5],[0.4,0.5],[0.4,1],[0.1,1]]}</c>). An object is in the zone when the bottom
/// centre of its box (where it stands) is inside.
/// </summary>
public sealed partial record Zone(string Name, IReadOnlyList<double[]> Points)
{
    public const int MaxPoints = 64;
    public const int MaxZonesPerStream = 32;

    /// <summary>Inside by the even-odd rule (ray casting); a point exactly on an edge may fall either way.</summary>
    public bool Contains(double x, double y)
    {
        var inside = false;
        for (int i = 0, j = Points.Count - 1; i < Points.Count; j = i++)
        {
            double xi = Points[i][0], yi = Points[i][1], xj = Points[j][0], yj = Points[j][1];
            if (yi > y != yj > y && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
    }

    /// <summary>Why these zones cannot be used (one line naming the zone), or null when they are sound.</summary>
    public static string? Problem(IReadOnlyList<Zone>? zones)
    {
        if (zones is null) return null;
        if (zones.Count > MaxZonesPerStream) return $"At most {MaxZonesPerStream} zones per stream.";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var zone in zones)
        {
            if (zone is null) return "A zone is null.";
            if (zone.Name is null || !NameRegex().IsMatch(zone.Name))
                return $"Zone name '{Truncate(zone.Name)}' must be 1-40 characters of a-z, 0-9, '_' or '-', starting with a letter or digit.";
            if (!names.Add(zone.Name)) return $"Zone '{zone.Name}' is given twice.";
            if (zone.Points is null || zone.Points.Count is < 3 or > MaxPoints)
                return $"Zone '{zone.Name}' needs 3 to {MaxPoints} points.";
            foreach (var p in zone.Points)
            {
                if (p is null || p.Length != 2 || !double.IsFinite(p[0]) || !double.IsFinite(p[1]) || p[0] is < 0 or > 1 || p[1] is < 0 or > 1)
                    return $"Zone '{zone.Name}' has a point that is not [x, y] with both in 0..1 (normalised to the frame).";
            }
        }
        return null;
    }

    private static string Truncate(string? s) => s is null ? "" : s.Length <= 40 ? s : s[..40] + "…";

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}\\z")]
    private static partial Regex NameRegex();
}
