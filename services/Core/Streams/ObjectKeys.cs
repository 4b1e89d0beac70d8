using System.Globalization;

namespace DaprVideo.Core.Streams;

/// <summary>
/// The object-store layout, everything of a stream under <c>streams/{id}/</c> (and the Inference replicas' load records
/// under <c>load/</c>); the only place keys are spelled.
/// </summary>
public static class ObjectKeys
{
    public static string Chunk(StreamId id, long sequence) => $"streams/{id}/chunks/{Seq(sequence)}.ts";
    public static string Segment(StreamId id, long sequence) => $"streams/{id}/segments/{Seq(sequence)}.ts";
    public static string SegmentRecord(StreamId id, long sequence) => $"streams/{id}/segments/{Seq(sequence)}.json";
    public static string StreamDescriptor(StreamId id) => $"streams/{id}/stream.json";
    /// <summary>A playlist of the stream (<c>index.m3u8</c>, <c>live.m3u8</c>), beside its segments folder.</summary>
    public static string Playlist(StreamId id, string fileName) => $"streams/{id}/{fileName}";

    /// <summary>One JSON line per analysed frame, written when the stream is complete.</summary>
    public static string Detections(StreamId id) => $"streams/{id}/detections.jsonl";

    /// <summary>The stream's end (a stored <c>StreamEnded</c>), so a restarted playlist knows it is over.</summary>
    public static string StreamEnd(StreamId id) => $"streams/{id}/ended.json";

    /// <summary>Retention removed every segment up to <paramref name="through"/> (a stored <c>RetentionCut</c>; the highest one holds).</summary>
    public static string RetentionCut(StreamId id, long through) => $"streams/{id}/retention/{Seq(through)}.json";

    public static string RetentionPrefix(StreamId id) => $"streams/{id}/retention/";

    public static string ChunksPrefix(StreamId id) => $"streams/{id}/chunks/";

    /// <summary>An event's record (<c>TrackEvent</c>), rewritten while the event goes on.</summary>
    public static string Event(StreamId id, long trackId) => $"streams/{id}/events/{Seq(trackId)}.json";

    /// <summary>The full frame at the event's best score (JPEG).</summary>
    public static string EventSnapshot(StreamId id, long trackId) => $"streams/{id}/events/{Seq(trackId)}.jpg";

    /// <summary>The object's box cut from that frame (JPEG).</summary>
    public static string EventCrop(StreamId id, long trackId) => $"streams/{id}/events/{Seq(trackId)}-crop.jpg";

    public static string EventsPrefix(StreamId id) => $"streams/{id}/events/";

    /// <summary>
    /// The stream's tracker after chunk <paramref name="sequence"/> (a stored <c>StreamTracking</c>): the next chunk's
    /// tracking starts from it, on whichever Inference replica handles that chunk.
    /// </summary>
    public static string Tracking(StreamId id, long sequence) => $"streams/{id}/tracks/{Seq(sequence)}.json";

    public static string TrackingPrefix(StreamId id) => $"streams/{id}/tracks/";

    public const string StreamsPrefix = "streams/";

    public static string StreamPrefix(StreamId id) => $"streams/{id}/";

    public static string SegmentsPrefix(StreamId id) => $"streams/{id}/segments/";

    /// <summary>Where the load records of Inference replicas live (distributed mode; read by Ingest's admission).</summary>
    public const string LoadPrefix = "load/";

    /// <summary>One Inference replica's load record (<c>AnalysisLoad</c>), rewritten every few seconds.</summary>
    public static string InferenceLoad(string replica)
    {
        if (string.IsNullOrEmpty(replica) || replica.Length > 100 || !replica.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || replica[0] == '.')
            throw new ArgumentException($"Replica name '{replica}' must be 1-100 ASCII letters, digits, '-', '_' or '.', not starting with '.'.", nameof(replica));
        return $"{LoadPrefix}inference-{replica}.json";
    }

    /// <summary>A segment's URI relative to the stream's playlists (which sit in streams/{id}/).</summary>
    public static string SegmentUri(long sequence) => $"segments/{Seq(sequence)}.ts";

    private static string Seq(long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return sequence.ToString("D6", CultureInfo.InvariantCulture);
    }
}
