namespace DaprVideo.Playlist.Apis;

/// <summary>A page of <c>GET /api/events</c>: newest first; <see cref="Next"/> is the <c>cursor</c> of the next page (null on the last).</summary>
public sealed record EventPageResource(IReadOnlyList<System.Text.Json.Nodes.JsonObject> Events, string? Next);
