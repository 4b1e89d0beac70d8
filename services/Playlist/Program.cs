using DaprVideo.DaprAdapters;
using DaprVideo.Playlist;

// Playlist (Dapr app id "playlist"): subscribes "segments", "streams", "purges" and "events", rebuilds from the object store at
// start, serves HLS (live/full playlists, segments), detection search, events, the stream directory and the viewer.
return await DistributedHost.RunAsync(args, PlaylistModule.DefaultPort, PlaylistApp.AddServices, PlaylistApp.MapEndpoints);
