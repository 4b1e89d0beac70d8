using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.DaprAdapters;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Playlist;

/// <summary>
/// Dapr app "playlist": the Playlist module on the sidecar's object store, subscribed to topics <c>segments</c>,
/// <c>streams</c>, <c>purges</c> and <c>events</c> (with dead-letter topics).
/// </summary>
public static class PlaylistApp
{
    /// <summary>Reads <see cref="PlaylistSettings"/> from the host's settings (a bad value stops it here) and adds the module.</summary>
    public static void AddServices(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPlaylist(PlaylistSettings.From(builder.Configuration));
    }

    /// <summary>The subscriptions, then the module's endpoints.</summary>
    public static void MapEndpoints(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapEventSubscription<SegmentAnnotated>(Topics.Segments,
            (segment, services, ct) => services.GetRequiredService<PlaylistBuilder>().OnSegmentAsync(segment, ct), PlaylistModule.SegmentsDeadLetterTopic);
        app.MapEventSubscription<StreamEnded>(Topics.Streams,
            (ended, services, ct) => services.GetRequiredService<PlaylistBuilder>().OnStreamEndedAsync(ended, ct), PlaylistModule.StreamsDeadLetterTopic);
        app.MapEventSubscription<StreamPurged>(Topics.Purges,
            (purged, services, ct) => services.GetRequiredService<PlaylistBuilder>().OnStreamPurgedAsync(purged, ct), PlaylistModule.PurgesDeadLetterTopic);
        app.MapEventSubscription<TrackEventChanged>(Topics.Events,
            (changed, services, ct) => services.GetRequiredService<PlaylistBuilder>().Events.OnEventChangedAsync(changed, ct), PlaylistModule.EventsDeadLetterTopic);
        app.MapPlaylist();
    }
}
