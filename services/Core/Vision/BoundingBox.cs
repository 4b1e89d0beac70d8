using System.Text.Json.Serialization;

namespace DaprVideo.Core.Vision;

/// <summary>A box in coordinates normalised to 0..1 of the source frame, origin top-left.</summary>
public readonly record struct BoundingBox(float X, float Y, float W, float H)
{
    [JsonIgnore]
    public float Right => X + W;
    [JsonIgnore]
    public float Bottom => Y + H;
    [JsonIgnore]
    public float Area => W * H;

    /// <summary>From the SSD corner order (ymin, xmin, ymax, xmax), clamped to the frame.</summary>
    public static BoundingBox FromCorners(float yMin, float xMin, float yMax, float xMax)
    {
        var x0 = Math.Clamp(Math.Min(xMin, xMax), 0f, 1f);
        var x1 = Math.Clamp(Math.Max(xMin, xMax), 0f, 1f);
        var y0 = Math.Clamp(Math.Min(yMin, yMax), 0f, 1f);
        var y1 = Math.Clamp(Math.Max(yMin, yMax), 0f, 1f);
        return new BoundingBox(x0, y0, x1 - x0, y1 - y0);
    }

    public float IntersectionOverUnion(BoundingBox other)
    {
        var iw = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        var ih = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        if (iw <= 0 || ih <= 0) return 0f;
        var inter = iw * ih;
        var union = Area + other.Area - inter;
        return union <= 0 ? 0f : inter / union;
    }
}
