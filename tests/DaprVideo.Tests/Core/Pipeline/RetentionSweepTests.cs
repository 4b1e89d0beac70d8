using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Playlist;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static DaprVideo.Tests.Core.Pipeline.RetentionScenario;

namespace DaprVideo.Tests.Core.Pipeline;

/// <summary>Retention enforced by the Playlist side over the real file store (temp folder), on a fake clock.</summary>
public class RetentionSweepTests
{
    private static readonly StreamId Cam = StreamId.Parse("cam");

    [Fact]
    public async Task Two_replicas_on_one_file_store_remove_idempotently_and_converge()
    {
        using var tmp = new TempDirectory();
        await TwoReplicasConvergeAsync(new FileObjectStore(tmp.Path), Cam);
    }

    [Fact]
    public async Task Search_timeline_labels_and_detections_forget_what_retention_removed()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var clock = new FakeTimeProvider(T0);
        // The stream's own limit (4 segments' bytes) over a deployment that keeps everything.
        await StoreDescriptorAsync(store, Cam, new StreamRetention(null, 4 * SegmentBytes));
        var builder = new PlaylistBuilder(store, new PlaylistBuilderOptions(), clock);
        for (var seq = 0; seq < 6; seq++)
        {
            await StoreSegmentAsync(store, Cam, seq);
            await builder.OnSegmentAsync(Announced(Cam, seq));
        }
        await builder.OnStreamEndedAsync(new StreamEnded("cam", 5));
        Assert.True(builder.TryGet(Cam, out var playlist, out var index));
        Assert.True(playlist.Retained);
        Assert.Equal(6, index.Query().Count);

        Assert.Equal(2, await builder.ApplyRetentionAsync());
        Assert.Equal([2L, 3, 4, 5], index.Timeline().Select(s => s.Sequence));
        Assert.Equal([2L, 4], index.Query("cat").Select(d => d.Sequence));
        Assert.Equal(4, index.Query().Count);
        Assert.Null(index.Query(fromSeconds: 0, toSeconds: 6).FirstOrDefault(d => d.Sequence < 2));
        var lines = (System.Text.Encoding.UTF8.GetString(await store.GetAsync(ObjectKeys.Detections(Cam)) ?? [])).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.DoesNotContain(lines, l => l.Contains("\"segment\":0,", StringComparison.Ordinal) || l.Contains("\"segment\":1,", StringComparison.Ordinal));

        var stored = M3u8Parser.Parse(await PlaylistAsync(store, Cam, PlaylistBuilder.IndexPlaylist));
        Assert.Equal(2, stored.MediaSequence);
        Assert.Null(stored.PlaylistType);
        Assert.True(stored.EndList);

        // A redelivered event of a removed segment (its record deleted after the grace) is accepted and changes nothing.
        clock.Advance(TimeSpan.FromMinutes(1));
        await builder.ApplyRetentionAsync();
        Assert.Null(await store.GetAsync(ObjectKeys.SegmentRecord(Cam, 0)));
        await builder.OnSegmentAsync(Announced(Cam, 0));
        Assert.Equal(4, index.Timeline().Count);
    }

    [Fact]
    public async Task Streams_without_retention_keep_their_EVENT_playlist_and_everything()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var clock = new FakeTimeProvider(T0);
        var builder = new PlaylistBuilder(store, new PlaylistBuilderOptions(), clock);
        for (var seq = 0; seq < 3; seq++)
        {
            await StoreSegmentAsync(store, Cam, seq);
            await builder.OnSegmentAsync(Announced(Cam, seq));
        }
        clock.Advance(TimeSpan.FromDays(400));
        Assert.Equal(0, await builder.ApplyRetentionAsync());
        Assert.Equal("EVENT", M3u8Parser.Parse(await PlaylistAsync(store, Cam, PlaylistBuilder.IndexPlaylist)).PlaylistType);
        Assert.Equal(9, (await MediaKeysAsync(store, Cam)).Count);
    }

    [Fact]
    public async Task The_sweeper_runs_on_its_timer_under_a_fake_clock()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var clock = new FakeTimeProvider(T0);
        var builder = new PlaylistBuilder(store, new PlaylistBuilderOptions { Retention = new RetentionPolicy(null, 2 * SegmentBytes) }, clock);
        for (var seq = 0; seq < 4; seq++)
        {
            await StoreSegmentAsync(store, Cam, seq);
            await builder.OnSegmentAsync(Announced(Cam, seq));
        }
        using var sweeper = new RetentionSweeper(builder, TimeSpan.FromSeconds(5), clock, NullLogger<RetentionSweeper>.Instance);
        await sweeper.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(builder.TryGet(Cam, out var playlist, out _));
            Assert.Equal(4, playlist.Segments.Count); // nothing happens until the timer ticks
            // ExecuteAsync starts on a pool thread (.NET 10), so the timer may not exist yet: step the fake clock a
            // period at a time until a tick's sweep has removed the two oldest (2 segments' bytes are kept).
            await Eventually.HoldsAsync(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                return Task.FromResult(playlist.Segments.Count);
            }, n => n == 2, "a timer tick's sweep removed 0 and 1", seconds: 60);
            Assert.Equal(1L, playlist.TrimmedThrough);
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Deleting_a_missing_key_twice_on_the_file_store_is_fine()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        await store.PutAsync("streams/cam/segments/000000.ts", new byte[] { 0x47 });
        await store.DeleteAsync("streams/cam/segments/000000.ts");
        await store.DeleteAsync("streams/cam/segments/000000.ts"); // its folder went with the first delete
        await store.DeleteAsync("streams/nobody/segments/000000.ts");
        Assert.Empty(await store.ListAsync("streams/"));
    }

    [Fact]
    public async Task A_purge_makes_playlist_forget_the_stream_but_not_one_started_again_after_it()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var builder = new PlaylistBuilder(store, new PlaylistBuilderOptions());
        await StoreDescriptorAsync(store, Cam, null);
        await StoreSegmentAsync(store, Cam, 0);
        await builder.OnSegmentAsync(Announced(Cam, 0));
        Assert.True(builder.TryGet(Cam, out _, out _));

        // A purge of an older incarnation (started before this one) leaves it alone.
        await builder.OnStreamPurgedAsync(new StreamPurged("cam", T0.AddDays(-1)));
        Assert.True(builder.TryGet(Cam, out _, out _));
        Assert.NotEmpty(await store.ListAsync(ObjectKeys.StreamPrefix(Cam)));

        // Ingest deleted the descriptor (last) and announced the purge: Playlist forgets, and removes what it wrote.
        await store.DeleteAsync(ObjectKeys.StreamDescriptor(Cam));
        await builder.OnStreamPurgedAsync(new StreamPurged("cam", T0));
        Assert.False(builder.TryGet(Cam, out _, out _));
        Assert.Empty(await store.ListAsync(ObjectKeys.StreamPrefix(Cam)));
        Assert.DoesNotContain(Cam, builder.Streams);
    }
}
