namespace DaprVideo.Media.Capture;

/// <summary>
/// Progress of a capture: the source's duration when ffprobe knows it (files), so a caller can
/// draw a bar, and the media seconds captured so far. While a live source is down,
/// <see cref="Reconnecting"/> says why and <see cref="ReconnectDelay"/> how long until the next attempt;
/// both clear with the next chunk.
/// </summary>
public sealed record CaptureProgress(double? SourceDurationSeconds, double CapturedSeconds, long Chunks, bool Live,
    string? Reconnecting = null, TimeSpan ReconnectDelay = default)
{
    /// <summary>0..1 when the duration is known.</summary>
    public double? Fraction =>
        SourceDurationSeconds is { } d && d > 0 ? Math.Clamp(CapturedSeconds / d, 0, 1) : null;
}
