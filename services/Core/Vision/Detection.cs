using System.Text.Json.Serialization;

namespace DaprVideo.Core.Vision;

/// <summary>One detected object; its JSON (label, classId, score, box normalised to the frame) is the README's <c>detect</c> example.</summary>
public sealed record Detection(string Label, int ClassId, float Score, BoundingBox Box)
{
    /// <summary>The caption drawn on the frame, e.g. <c>person: 87%</c>.</summary>
    [JsonIgnore]
    public string Caption => $"{Label}: {(int)Math.Round(Score * 100, MidpointRounding.AwayFromZero)}%";
}
