using System.Text.Json.Serialization;

namespace DaprVideo.Core.Streams;

/// <summary>
/// A stream's own retention limits, as asked for in <c>POST /api/streams</c> and kept in its descriptor
/// (<c>"retention":{"maxAgeSeconds":604800,"maxBytes":21474836480}</c>) so Playlist, which enforces them,
/// reads them from the store. A null field falls back to the deployment's setting (RETENTION_MAX_AGE, RETENTION_MAX_BYTES).
/// </summary>
public sealed record StreamRetention(double? MaxAgeSeconds, long? MaxBytes)
{
    [JsonIgnore]
    public TimeSpan? MaxAge => MaxAgeSeconds is { } s ? TimeSpan.FromSeconds(s) : null;

    public static StreamRetention? From(TimeSpan? maxAge, long? maxBytes) =>
        maxAge is null && maxBytes is null ? null : new(maxAge?.TotalSeconds, maxBytes);
}
