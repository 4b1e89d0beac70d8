using System.Text.Json.Serialization;

namespace DaprVideo.Core.Vision;

/// <summary>
/// One detected object; its JSON (label, classId, score, box normalised to the frame) is the README's <c>detect</c> example.
/// <see cref="TrackId"/> is set once the stream's tracker has confirmed the object as one it follows (null from the detector).
/// </summary>
public sealed record Detection(string Label, int ClassId, float Score, BoundingBox Box,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? TrackId = null)
{
    /// <summary>The caption drawn on the frame, e.g. <c>person: 87%</c>, or <c>person 12: 87%</c> for tracked object 12.</summary>
    [JsonIgnore]
    public string Caption => TrackId is { } id
        ? $"{Label} {id}: {Percent}%"
        : $"{Label}: {Percent}%";

    private int Percent => (int)Math.Round(Score * 100, MidpointRounding.AwayFromZero);
}
