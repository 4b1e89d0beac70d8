using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;
using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.TestSupport;

/// <summary>Event records as Inference writes them (record + JPEGs in the store) and the messages it publishes, for the reading side's tests.</summary>
public static class StoredEvents
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Track <paramref name="trackId"/> of <paramref name="stream"/>, starting <paramref name="startSeconds"/> into the stream (wall clock T0 + that).</summary>
    public static TrackEvent Make(string stream, long trackId, string label = "person", double startSeconds = 0, double? endSeconds = 4,
        float score = 0.8f, string[]? zones = null, long firstSequence = 0, long lastSequence = 1, DateTimeOffset? updatedAt = null)
    {
        var id = StreamId.Parse(stream);
        return new TrackEvent(new EventId(id, trackId).ToString(), stream, trackId, label, T0.AddSeconds(startSeconds),
            endSeconds is { } end ? T0.AddSeconds(end) : null, startSeconds, endSeconds, score, zones ?? [], firstSequence, lastSequence,
            startSeconds + 0.5, new BoundingBox(0.25f, 0.25f, 0.5f, 0.5f), ObjectKeys.EventSnapshot(id, trackId), ObjectKeys.EventCrop(id, trackId),
            updatedAt ?? T0.AddSeconds(endSeconds ?? startSeconds + 1));
    }

    /// <summary>Stores the record and its two JPEGs (<paramref name="jpeg"/>, or a few marker bytes).</summary>
    public static async Task StoreAsync(IObjectStore store, TrackEvent e, byte[]? jpeg = null, byte[]? crop = null)
    {
        var id = StreamId.Parse(e.Stream);
        await store.PutAsync(ObjectKeys.EventSnapshot(id, e.TrackId), jpeg ?? [0xFF, 0xD8, 0xFF, (byte)e.TrackId, 0xFF, 0xD9]);
        await store.PutAsync(ObjectKeys.EventCrop(id, e.TrackId), crop ?? jpeg ?? [0xFF, 0xD8, 0xFF, (byte)(e.TrackId + 1), 0xFF, 0xD9]);
        await store.PutAsync(ObjectKeys.Event(id, e.TrackId), e.ToJsonBytes());
    }

    public static TrackEventChanged Changed(TrackEvent e, string? change = null) =>
        new(e.Stream, e.Id, change ?? (e.InProgress ? TrackEventChanged.Updated : TrackEventChanged.Ended), e.Label, e.Start, e.End, e.StartSeconds,
            e.EndSeconds, e.MaxScore, e.Zones, ObjectKeys.Event(StreamId.Parse(e.Stream), e.TrackId), e.SnapshotKey, e.CropKey);
}
