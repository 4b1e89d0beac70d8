using DaprVideo.Core.Tracking;
using DaprVideo.Core.Vision;

namespace DaprVideo.Playlist.Apis;

/// <summary>An event as the HTTP API shows it: the stored <see cref="TrackEvent"/>'s fields plus where its JPEGs are served.</summary>
public sealed record EventResource(
    string Id,
    string Stream,
    long TrackId,
    string Label,
    DateTimeOffset Start,
    DateTimeOffset? End,
    double StartSeconds,
    double? EndSeconds,
    float MaxScore,
    IReadOnlyList<string> Zones,
    long FirstSequence,
    long LastSequence,
    double BestSeconds,
    BoundingBox BestBox,
    string SnapshotKey,
    string CropKey,
    DateTimeOffset UpdatedAt,
    string SnapshotUrl,
    string CropUrl)
{
    public static EventResource Of(TrackEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        // The id was validated when indexed (EventId.TryParse): digits, a dot and a stream id need no URL escaping.
        return new EventResource(e.Id, e.Stream, e.TrackId, e.Label, e.Start, e.End, e.StartSeconds, e.EndSeconds, e.MaxScore, e.Zones,
            e.FirstSequence, e.LastSequence, e.BestSeconds, e.BestBox, e.SnapshotKey, e.CropKey, e.UpdatedAt,
            $"/api/events/{e.Id}/snapshot.jpg", $"/api/events/{e.Id}/crop.jpg");
    }
}
