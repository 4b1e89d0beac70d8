using System.Text.Json;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// A stream's tracking after chunk <see cref="Sequence"/>, stored at <see cref="Streams.ObjectKeys.Tracking"/>: the tracker
/// and the events still open. The next chunk starts from it on whichever replica handles it (see <see cref="TrackingHandoff"/>).
/// </summary>
public sealed record StreamTracking(string Stream, long Sequence, TrackerState Tracker, IReadOnlyList<OpenEvent> Open)
{
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, CoreJsonContext.Default.StreamTracking);

    public static StreamTracking Parse(ReadOnlySpan<byte> json)
    {
        StreamTracking? tracking;
        try
        {
            tracking = JsonSerializer.Deserialize(json, CoreJsonContext.Default.StreamTracking);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Tracking state is not valid JSON: {e.Message}", e);
        }
        if (tracking?.Tracker is null || tracking.Open is null) throw new InvalidDataException("Tracking state lacks its tracker or open events.");
        return tracking;
    }
}
