using System.Text;
using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Playlist;
using Microsoft.Extensions.Configuration;

namespace DaprVideo.Tests.Distributed;

/// <summary>
/// Why Playlist replicas agree, without the network: builders fed the same records in different orders, with
/// duplicates, or only through the store catch-up, render the same bytes.
/// </summary>
public sealed class PlaylistReplicaTests
{
    private static readonly StreamId Id = StreamId.Parse("replicas");
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public async Task Replicas_fed_permuted_and_duplicated_events_or_none_serve_identical_playlists()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path, ObjectKeys.StreamsPrefix);
        var options = PlaylistSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["SEGMENT_SECONDS"] = "1" }).Build());
        const int count = 12;
        var events = new List<SegmentAnnotated>();
        for (var seq = 0; seq < count; seq++)
        {
            var record = new SegmentRecord(Id.Value, seq, T0.AddSeconds(seq), 1.0, Discontinuity: seq == 7, Annotated: true, []);
            await store.PutAsync(ObjectKeys.SegmentRecord(Id, seq), record.ToJsonBytes());
            events.Add(new SegmentAnnotated(Id.Value, seq, ObjectKeys.Segment(Id, seq), ObjectKeys.SegmentRecord(Id, seq), record.Start, 1.0, record.Discontinuity, true));
        }
        var end = new StreamEnded(Id.Value, count - 1);
        await store.PutAsync(ObjectKeys.StreamEnd(Id), Encoding.UTF8.GetBytes($"{{\"streamId\":\"{Id}\",\"lastSequence\":{count - 1}}}"));

        var inOrder = new PlaylistBuilder(store, options.Builder);
        foreach (var e in events) await inOrder.OnSegmentAsync(e);
        await inOrder.OnStreamEndedAsync(end);

        // Shuffled within the hole-skip threshold, every event twice, the end first.
        var random = new Random(3);
        var shuffled = new PlaylistBuilder(store, options.Builder);
        await shuffled.OnStreamEndedAsync(end);
        for (var start = 0; start < count; start += PlaylistSettings.HoleSkipThreshold)
        {
            var window = events.Skip(start).Take(PlaylistSettings.HoleSkipThreshold).SelectMany(e => new[] { e, e }).ToArray();
            random.Shuffle(window);
            foreach (var e in window) await shuffled.OnSegmentAsync(e);
        }

        // A replica that was handed no event at all: catch-up from the store only.
        var silent = new PlaylistBuilder(store, options.Builder);
        Assert.True(await new PlaylistFreshness(silent, TimeSpan.FromSeconds(1)).EnsureFreshAsync(Id, default));

        foreach (var view in new[] { PlaylistView.Live, PlaylistView.Event })
        {
            var expected = Render(inOrder, view);
            Assert.Contains("#EXT-X-ENDLIST", expected, StringComparison.Ordinal);
            Assert.Equal(expected, Render(shuffled, view));
            Assert.Equal(expected, Render(silent, view));
        }
        Assert.True(inOrder.TryGet(Id, out var playlist, out _));
        Assert.Equal(count, playlist.Segments.Count);
    }

    /// <summary>
    /// Replicas of a consumer group each get only some events: one handed every other segment of a long stream (more
    /// waiting than the hole-skip threshold) must not give up the segments the other replica was told about.
    /// </summary>
    [Fact]
    public async Task A_replica_handed_every_other_event_gives_up_nothing_the_store_holds()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path, ObjectKeys.StreamsPrefix);
        var options = PlaylistSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["SEGMENT_SECONDS"] = "1" }).Build());
        var count = 3 * PlaylistSettings.HoleSkipThreshold;
        var a = new PlaylistBuilder(store, options.Builder);
        var b = new PlaylistBuilder(store, options.Builder);
        for (var seq = 0; seq < count; seq++)
        {
            var record = new SegmentRecord(Id.Value, seq, T0.AddSeconds(seq), 1.0, Discontinuity: false, Annotated: true, []);
            await store.PutAsync(ObjectKeys.SegmentRecord(Id, seq), record.ToJsonBytes());
            var announced = new SegmentAnnotated(Id.Value, seq, ObjectKeys.Segment(Id, seq), ObjectKeys.SegmentRecord(Id, seq), record.Start, 1.0, false, true);
            await (seq % 2 == 0 ? a : b).OnSegmentAsync(announced);
        }
        await a.OnStreamEndedAsync(new StreamEnded(Id.Value, count - 1));
        await b.OnStreamEndedAsync(new StreamEnded(Id.Value, count - 1));

        foreach (var view in new[] { PlaylistView.Live, PlaylistView.Event })
            Assert.Equal(Render(a, view), Render(b, view));
        Assert.True(b.TryGet(Id, out var playlist, out _));
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), playlist.Segments.Select(s => s.Sequence));
        Assert.DoesNotContain(playlist.Segments, s => s.Discontinuity);
    }

    [Fact]
    public async Task A_stream_the_store_does_not_know_is_not_invented()
    {
        using var tmp = new TempDirectory();
        var builder = new PlaylistBuilder(new FileObjectStore(tmp.Path, ObjectKeys.StreamsPrefix), new PlaylistBuilderOptions());
        Assert.False(await new PlaylistFreshness(builder, TimeSpan.FromSeconds(1)).EnsureFreshAsync(StreamId.Parse("nothing"), default));
        Assert.Empty(builder.Streams);
    }

    private static string Render(PlaylistBuilder builder, PlaylistView view) =>
        builder.TryGet(Id, out var playlist, out _) ? playlist.Render(view) : "(none)";
}
