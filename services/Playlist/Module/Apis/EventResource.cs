using System.Text.Json;
using System.Text.Json.Nodes;
using DaprVideo.Core;
using DaprVideo.Core.Tracking;

namespace DaprVideo.Playlist.Apis;

/// <summary>An event as the HTTP API shows it: the stored <see cref="TrackEvent"/>'s JSON plus where its JPEGs are served.</summary>
internal static class EventResource
{
    public static JsonObject Of(TrackEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var json = JsonSerializer.SerializeToNode(e, CoreJsonContext.Default.TrackEvent)!.AsObject();
        // The id was validated when indexed (EventId.TryParse): digits, a dot and a stream id need no URL escaping.
        json["snapshotUrl"] = $"/api/events/{e.Id}/snapshot.jpg";
        json["cropUrl"] = $"/api/events/{e.Id}/crop.jpg";
        return json;
    }
}
