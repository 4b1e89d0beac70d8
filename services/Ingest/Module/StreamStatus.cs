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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DetectFps = null)
{
    /// <summary>How the source's credentials are held (null: it has none).</summary>
    public CredentialsStatus? Credentials { get; init; }

    /// <summary>The stream's zones, as posted (null: none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Core.Streams.Zone>? Zones { get; init; }
}

/// <summary>Where a stream's playlists are served.</summary>
public sealed record StreamPlaylists(string Live, string Index)
{
    public static StreamPlaylists For(string id) => new($"/streams/{id}/live.m3u8", $"/streams/{id}/index.m3u8");
}

/// <summary>
/// A stream's credentials as the API shows them (never their values): the secret they come from, whether a restarted
/// Ingest gets them back, and a warning when it does not.
/// </summary>
public sealed record CredentialsStatus(string? Secret, bool SurvivesRestart, string? Warning);
