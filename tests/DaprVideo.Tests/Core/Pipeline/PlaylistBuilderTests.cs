using System.Text;
using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded.Adapters;

namespace DaprVideo.Tests.Core.Pipeline;

public class PlaylistBuilderTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly StreamId Id = StreamId.Parse("cam");
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task StoreRecordAsync(FileObjectStore store, long sequence)
    {
        var record = new SegmentRecord("cam", sequence, T0.AddSeconds(3 * sequence), 3, false, true, []);
        await store.PutAsync(ObjectKeys.SegmentRecord(Id, sequence), record.ToJsonBytes());
    }

    private static SegmentAnnotated Announced(long sequence) =>
        new("cam", sequence, ObjectKeys.Segment(Id, sequence), ObjectKeys.SegmentRecord(Id, sequence), T0.AddSeconds(3 * sequence), 3, false, true);

    private static async Task<string> ReadAsync(FileObjectStore store, string name) =>
        Encoding.UTF8.GetString(await store.GetAsync(ObjectKeys.Playlist(Id, name)) ?? []);

    [Fact]
    public async Task A_segment_lost_for_good_is_skipped_once_the_stream_has_been_quiet()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var clock = new ManualClock();
        var builder = new PlaylistBuilder(store, new PlaylistBuilderOptions(), clock);
        foreach (var seq in new long[] { 0, 1, 3 })
        {
            await StoreRecordAsync(store, seq);
            await builder.OnSegmentAsync(Announced(seq));
        }
        await builder.OnStreamEndedAsync(new StreamEnded("cam", 3));

        clock.Now += TimeSpan.FromSeconds(29);
        Assert.Equal(0, await builder.SkipStalledAsync(TimeSpan.FromSeconds(30)));
        Assert.False(M3u8Parser.Parse(await ReadAsync(store, "index.m3u8")).EndList);

        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal(1, await builder.SkipStalledAsync(TimeSpan.FromSeconds(30)));
        var index = M3u8Parser.Parse(await ReadAsync(store, "index.m3u8"));
        Assert.True(index.EndList);
        Assert.Equal(["segments/000000.ts", "segments/000001.ts", "segments/000003.ts"], index.Segments.Select(s => s.Uri));
        Assert.True(index.Segments[2].Discontinuity);
        await builder.WaitForCompletionAsync(Id).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_restarted_builder_rebuilds_the_same_playlists_from_the_store()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var first = new PlaylistBuilder(store, new PlaylistBuilderOptions());
        for (var seq = 0; seq < 4; seq++)
        {
            await StoreRecordAsync(store, seq);
            await first.OnSegmentAsync(Announced(seq));
        }
        await first.OnStreamEndedAsync(new StreamEnded("cam", 3));
        var before = (await ReadAsync(store, "live.m3u8"), await ReadAsync(store, "index.m3u8"));
        await store.DeleteAsync(ObjectKeys.Playlist(Id, "live.m3u8"));

        var second = new PlaylistBuilder(store, new PlaylistBuilderOptions());
        await second.RebuildAsync();

        Assert.Equal(before, (await ReadAsync(store, "live.m3u8"), await ReadAsync(store, "index.m3u8")));
        Assert.True(second.TryGet(Id, out var state, out _) && state.IsComplete);
    }
}
