using DaprVideo.Core.Streams;
using DaprVideo.Settings;

namespace DaprVideo.Ingest;

/// <summary>
/// The <c>"retention"</c> object of <c>POST /api/streams</c>: <c>{"maxAge":"7d","maxBytes":"20G"}</c>, the same words
/// as RETENTION_MAX_AGE and RETENTION_MAX_BYTES; a field left out keeps the deployment's setting.
/// </summary>
public sealed record RetentionRequest(string? MaxAge, string? MaxBytes)
{
    /// <summary>The limits to store in the descriptor, or a one-line reason they are not valid.</summary>
    public bool TryParse(out StreamRetention? retention, out string error)
    {
        retention = null;
        error = "";
        TimeSpan? maxAge = null;
        long? maxBytes = null;
        if (MaxAge is not null)
        {
            if (!DurationSetting.TryParse(MaxAge, out var age))
            {
                error = $"retention.maxAge must be {DurationSetting.Description}, not '{Shorten(MaxAge)}'.";
                return false;
            }
            maxAge = age;
        }
        if (MaxBytes is not null)
        {
            if (!ByteSizeSetting.TryParse(MaxBytes, out var bytes))
            {
                error = $"retention.maxBytes must be {ByteSizeSetting.Description}, not '{Shorten(MaxBytes)}'.";
                return false;
            }
            maxBytes = bytes;
        }
        retention = StreamRetention.From(maxAge, maxBytes);
        return true;
    }

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "..." : value;
}
