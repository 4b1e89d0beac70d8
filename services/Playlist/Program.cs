using DaprVideo.DaprAdapters;
using DaprVideo.Playlist;

// Playlist (Dapr app id "playlist"): subscribes "segments" and "streams", rebuilds from the object store at
// start, serves HLS (live/full playlists, segments), detection search, the stream directory and the viewer.
return await DistributedHost.RunAsync(args, PlaylistModule.DefaultPort, PlaylistApp.AddServices, PlaylistApp.MapEndpoints);
