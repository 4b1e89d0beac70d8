using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;
using DaprVideo.Embedded.Adapters;
using Microsoft.Extensions.Time.Testing;
using static DaprVideo.Tests.Core.Pipeline.RetentionScenario;
using Events = DaprVideo.Tests.TestSupport.StoredEvents;

namespace DaprVideo.Tests.Core.Pipeline;

/// <summary>The Playlist side's events under retention, rebuilds and purges, over the real file store.</summary>
public class EventRetentionTests
{
    private static readonly StreamId Cam = StreamId.Parse("cam");

    [Fact]
    public async Task Retention_drops_events_wholly_in_removed_segments_then_deletes_their_record_and_JPEGs()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var clock = new FakeTimeProvider(T0);
        await StoreDescriptorAsync(store, Cam, new StreamRetention(null, 4 * SegmentBytes));
        var builder = new PlaylistBuilder(store, new PlaylistBuilderOptions(), clock);
        var early = Events.Make("cam", 1, firstSequence: 0, lastSequence: 1);
        var spanning = Events.Make("cam", 2, firstSequence: 1, lastSequence: 3);
        foreach (var e in new[] { early, spanning })
        {
            await Events.StoreAsync(store, e);
            Assert.True(await builder.Events.OnEventChangedAsync(Events.Changed(e)));
        }
        for (var seq = 0; seq < 6; seq++)
        {
            await StoreSegmentAsync(store, Cam, seq);
            await builder.OnSegmentAsync(Announced(Cam, seq));
        }
        Assert.Equal(2, builder.Events.Index.Query(Cam, EventQuery.All).Count);

        Assert.Equal(2, await builder.ApplyRetentionAsync()); // segments 0 and 1
        Assert.Equal(["cam.2"], builder.Events.Index.Query(Cam, EventQuery.All).Select(e => e.Id));
        // A redelivered message of the removed event, its record still stored during the grace, does not bring it back;
        // neither does a replica rebuilt from the store now.
        Assert.False(await builder.Events.OnEventChangedAsync(Events.Changed(early)));
        var rebuilt = new PlaylistBuilder(store, new PlaylistBuilderOptions(), clock);
        await rebuilt.RebuildAsync();
        Assert.Equal(["cam.2"], rebuilt.Events.Index.Query(Cam, EventQuery.All).Select(e => e.Id));

        clock.Advance(TimeSpan.FromMinutes(1));
        await builder.ApplyRetentionAsync();
        var left = await store.ListAsync(ObjectKeys.EventsPrefix(Cam));
        Assert.Equal([ObjectKeys.EventCrop(Cam, 2), ObjectKeys.EventSnapshot(Cam, 2), ObjectKeys.Event(Cam, 2)], left.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_rebuilt_or_synced_replica_shows_the_stored_events_and_a_purge_forgets_them()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        await StoreSegmentAsync(store, Cam, 0);
        await Events.StoreAsync(store, Events.Make("cam", 1, endSeconds: null, lastSequence: 0));
        await Events.StoreAsync(store, Events.Make("cam", 2, "car", startSeconds: 2));
        await store.PutAsync("streams/cam/events/notes.json", "{}"u8.ToArray()); // not an event record: left alone

        var builder = new PlaylistBuilder(store, new PlaylistBuilderOptions());
        await builder.RebuildAsync();
        Assert.Equal(["cam.2", "cam.1"], builder.Events.Index.Query(Cam, EventQuery.All).Select(e => e.Id));

        // The record of the event in progress is rewritten (ended) and another one starts; this replica got no message.
        await Events.StoreAsync(store, Events.Make("cam", 1, endSeconds: 3, lastSequence: 1));
        await Events.StoreAsync(store, Events.Make("cam", 3, startSeconds: 5, endSeconds: null));
        await builder.SyncAsync(Cam);
        var events = builder.Events.Index.Query(Cam, EventQuery.All);
        Assert.Equal(["cam.3", "cam.2", "cam.1"], events.Select(e => e.Id));
        Assert.False(events[2].InProgress);

        await builder.OnStreamPurgedAsync(new StreamPurged("cam", T0.AddDays(1)));
        Assert.Empty(builder.Events.Index.Query(Cam, EventQuery.All));
        Assert.Empty(await store.ListAsync(ObjectKeys.EventsPrefix(Cam)));
    }

    [Fact]
    public async Task A_message_naming_another_key_or_stream_is_refused_and_one_whose_record_is_gone_ignored()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var indexer = new EventIndexer(store);
        var e = Events.Make("cam", 4);
        await Assert.ThrowsAsync<InvalidDataException>(() => indexer.OnEventChangedAsync(Events.Changed(e) with { EventKey = "streams/cam/stream.json" }));
        await Assert.ThrowsAsync<InvalidDataException>(() => indexer.OnEventChangedAsync(Events.Changed(e) with { StreamId = "yard" }));
        await Assert.ThrowsAsync<InvalidDataException>(() => indexer.OnEventChangedAsync(Events.Changed(e) with { EventId = "cam.x" }));
        Assert.False(await indexer.OnEventChangedAsync(Events.Changed(e)));
        await store.PutAsync(ObjectKeys.Event(Cam, 4), Events.Make("cam", 5).ToJsonBytes());
        await Assert.ThrowsAsync<InvalidDataException>(() => indexer.OnEventChangedAsync(Events.Changed(e)));
    }
}
