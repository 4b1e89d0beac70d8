namespace DaprVideo.Ingest;

/// <summary>What the API tells about a stream. <see cref="Source"/> never carries credentials.</summary>
public sealed record StreamStatus(
    string Id,
    string Source,
    string State,
    string? Error,
    bool Live,
    long Segments,
    double DurationSeconds,
    DateTimeOffset StartedAt,
    StreamPlaylists Playlists);

/// <summary>Where a stream's playlists are served.</summary>
public sealed record StreamPlaylists(string Live, string Index)
{
    public static StreamPlaylists For(string id) => new($"/streams/{id}/live.m3u8", $"/streams/{id}/index.m3u8");
}
