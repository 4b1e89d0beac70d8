using System.Text;
using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Pipeline;

/// <summary>Stores what Ingest and Inference would for a stream, so retention can be run over any IObjectStore.</summary>
public static class RetentionScenario
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const int SegmentBytes = 1000;

    /// <summary>Segment <paramref name="sequence"/>: 3 s from T0 + 3·seq, a cat at frame t = 3·seq + 1 on even ones, a dog on odd.</summary>
    public static async Task StoreSegmentAsync(IObjectStore store, StreamId id, long sequence, bool discontinuity = false, bool withChunk = true)
    {
        var label = sequence % 2 == 0 ? "cat" : "dog";
        var record = new SegmentRecord(id.Value, sequence, T0.AddSeconds(3 * sequence), 3, discontinuity, true,
            [new AnalysedFrame(3 * sequence + 1, [new Detection(label, label == "cat" ? 17 : 18, 0.9f, new BoundingBox(0.1f, 0.1f, 0.5f, 0.5f))])],
            SegmentBytes);
        var ts = new byte[SegmentBytes];
        ts[0] = 0x47;
        await store.PutAsync(ObjectKeys.Segment(id, sequence), ts);
        if (withChunk) await store.PutAsync(ObjectKeys.Chunk(id, sequence), ts); // DEBUG keeps raw chunks
        await store.PutAsync(ObjectKeys.SegmentRecord(id, sequence), record.ToJsonBytes());
    }

    public static SegmentAnnotated Announced(StreamId id, long sequence, bool discontinuity = false) =>
        new(id.Value, sequence, ObjectKeys.Segment(id, sequence), ObjectKeys.SegmentRecord(id, sequence), T0.AddSeconds(3 * sequence), 3, discontinuity, true);

    /// <summary>An Ingest-style descriptor with the stream's own retention.</summary>
    public static Task StoreDescriptorAsync(IObjectStore store, StreamId id, StreamRetention? retention) =>
        store.PutAsync(ObjectKeys.StreamDescriptor(id), new StreamDescriptor(id.Value, "testsrc", StreamDescriptor.Running, null, true, false, true,
            -1, 0, T0, null, T0, retention).ToJsonBytes());

    public static async Task<string> PlaylistAsync(IObjectStore store, StreamId id, string name) =>
        Encoding.UTF8.GetString(await store.GetAsync(ObjectKeys.Playlist(id, name)) ?? []);

    /// <summary>The sequences that still have a segment, a record or a chunk stored.</summary>
    public static async Task<IReadOnlyList<string>> MediaKeysAsync(IObjectStore store, StreamId id) =>
        [.. (await store.ListAsync(ObjectKeys.StreamPrefix(id))).Where(k => k.Contains("/segments/", StringComparison.Ordinal) || k.Contains("/chunks/", StringComparison.Ordinal))];

    /// <summary>
    /// Two Playlist replicas on one store, both sweeping; each gets half of the events. Returns once retention (the bytes
    /// of five segments) has removed segments 0..4 of 0..9 and their objects are deleted; asserts both serve identical,
    /// lawful playlists, and so does a third replica rebuilt from the store afterwards.
    /// </summary>
    public static async Task TwoReplicasConvergeAsync(IObjectStore store, StreamId id)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0);
        var options = new PlaylistBuilderOptions { Retention = new RetentionPolicy(null, 5 * SegmentBytes) };
        var a = new PlaylistBuilder(store, options, clock);
        var b = new PlaylistBuilder(store, options, clock);
        for (var seq = 0; seq < 10; seq++)
        {
            await StoreSegmentAsync(store, id, seq, discontinuity: seq == 3);
            await (seq % 2 == 0 ? a : b).OnSegmentAsync(Announced(id, seq, seq == 3));
        }
        await a.SyncAsync(id);
        await b.SyncAsync(id);
        Assert.True(a.TryGet(id, out var pa, out _));
        Assert.True(b.TryGet(id, out var pb, out _));
        var before = M3u8Parser.Parse(pa.Render(PlaylistView.Event));
        Assert.Null(before.PlaylistType);

        // A sweeps first and removes 0..4; B learns of the cut (or would decide the same) and agrees.
        clock.SetUtcNow(T0.AddSeconds(30));
        Assert.Equal(5, await a.ApplyRetentionAsync());
        Assert.Equal(0, await b.ApplyRetentionAsync());
        Assert.Equal(pa.Render(PlaylistView.Event), pb.Render(PlaylistView.Event));
        Assert.Equal(pa.Render(PlaylistView.Live), pb.Render(PlaylistView.Live));
        var after = M3u8Parser.Parse(pa.Render(PlaylistView.Event));
        M3u8Parser.CheckReload(before, after);
        Assert.Equal(5, after.MediaSequence);
        Assert.Equal(1, after.DiscontinuitySequence); // the tag of 3 went with it
        Assert.Equal("segments/000005.ts", after.Segments[0].Uri);
        // Still fetchable during the grace period (RFC 8216 §6.2.2).
        Assert.NotNull(await store.GetAsync(ObjectKeys.Segment(id, 0)));

        // After the grace, both delete: the second deleter finds the keys gone and that is fine.
        clock.Advance(TimeSpan.FromSeconds(30));
        await a.ApplyRetentionAsync();
        await b.ApplyRetentionAsync();
        var left = await MediaKeysAsync(store, id);
        for (var seq = 0; seq < 5; seq++)
            Assert.DoesNotContain(left, k => k.Contains($"/{seq:D6}.", StringComparison.Ordinal));
        Assert.Equal(15, left.Count); // 5..9: segment, record, chunk each

        // A fresh replica rebuilt from the store serves the same bytes (it reads the cut; it never saw 0..4).
        var c = new PlaylistBuilder(store, options, clock);
        await c.RebuildAsync();
        Assert.True(c.TryGet(id, out var pc, out var ic));
        Assert.Equal(pa.Render(PlaylistView.Event), pc.Render(PlaylistView.Event));
        Assert.Equal(pa.Render(PlaylistView.Live), pc.Render(PlaylistView.Live));
        Assert.True(ic.Timeline().Count > 0, $"timeline empty; playlist {pc.Render(PlaylistView.Event)} keys {string.Join(",", await store.ListAsync(ObjectKeys.StreamPrefix(id)))}");
        Assert.Equal(5, ic.Timeline()[0].Sequence);
    }
}
