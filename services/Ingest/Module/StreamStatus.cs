using System.Text.Json.Serialization;

namespace DaprVideo.Ingest;

/// <summary>
/// What the API tells about a stream. <see cref="Source"/> never carries credentials. <see cref="State"/> is
/// <c>degraded</c> instead of <c>running</c> while its latest segment was analysed at <see cref="AnalysedFps"/> below
/// <see cref="DetectFps"/> (overload); both are absent until a segment says (and from a distributed Ingest).
/// </summary>
public sealed record StreamStatus(
    string Id,
    string Source,
    string State,
    string? Error,
    bool Live,
    long Segments,
    double DurationSeconds,
    DateTimeOffset StartedAt,
    StreamPlaylists Playlists,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? AnalysedFps = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DetectFps = null);

/// <summary>Where a stream's playlists are served.</summary>
public sealed record StreamPlaylists(string Live, string Index)
{
    public static StreamPlaylists For(string id) => new($"/streams/{id}/live.m3u8", $"/streams/{id}/index.m3u8");
}
