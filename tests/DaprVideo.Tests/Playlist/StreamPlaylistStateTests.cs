using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;

namespace DaprVideo.Tests.Playlist;

public class StreamPlaylistStateTests
{
    private static readonly StreamId Cam = StreamId.Parse("cam");
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly PlaylistView[] Views = [PlaylistView.Vod, PlaylistView.Event, PlaylistView.Live];

    private static PlaylistSegment Segment(long sequence, double duration = 3.0, bool discontinuity = false) =>
        new(sequence, T0.AddSeconds(sequence * 3.0), duration, discontinuity);

    private static StreamPlaylistState NewState(int holeSkip = 3, long first = 0) =>
        new(Cam, new PlaylistOptions { HoleSkipThreshold = holeSkip, FirstSequence = first });

    private static M3u8Playlist Parse(StreamPlaylistState state, PlaylistView view) => M3u8Parser.Parse(state.Render(view));

    /// <summary>One delivery: a segment, or the end announcement when Segment is null.</summary>
    private sealed record Delivery(PlaylistSegment? Segment);

    /// <summary>Feeds deliveries one by one, checking after each that every view is a valid RFC 8216 playlist,
    /// a legal reload of the previous one, and that the version moved exactly when some text changed.</summary>
    private static void Feed(StreamPlaylistState state, IEnumerable<Delivery> deliveries, long lastSequence)
    {
        var texts = Views.Select(state.Render).ToArray();
        var parsed = texts.Select(t => M3u8Parser.Parse(t)).ToArray();
        foreach (var delivery in deliveries)
        {
            var version = state.Version;
            var changed = delivery.Segment is { } segment ? state.Add(segment) : state.End(lastSequence);
            var nextTexts = Views.Select(state.Render).ToArray();
            Assert.Equal(changed, state.Version != version);
            Assert.Equal(changed, !nextTexts.SequenceEqual(texts));
            for (var v = 0; v < Views.Length; v++)
            {
                var next = M3u8Parser.Parse(nextTexts[v]);
                if (Views[v] != PlaylistView.Vod)
                    M3u8Parser.CheckReload(parsed[v], next);
                parsed[v] = next;
            }
            texts = nextTexts;
        }
    }

    [Fact]
    public void Shuffled_and_duplicated_deliveries_give_byte_identical_playlists()
    {
        var random = new Random(8216);
        for (var round = 0; round < 200; round++)
        {
            var count = random.Next(0, 30);
            var segments = Enumerable.Range(0, count)
                .Select(i => Segment(i, 2.5 + random.Next(0, 500) / 1000.0, discontinuity: random.Next(8) == 0))
                .ToArray();
            var reference = NewState(holeSkip: 1000);
            Feed(reference, [.. segments.Select(s => new Delivery(s)), new Delivery(null)], count - 1);

            // Any order at all: with hole skipping out of reach, only the set matters.
            var arrivals = segments.Select(s => new Delivery(s)).Append(new Delivery(null)).ToList();
            for (var d = random.Next(0, count + 1); d > 0; d--)
                arrivals.Add(new Delivery(segments[random.Next(count)]));
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(arrivals));
            var shuffled = NewState(holeSkip: 1000);
            Feed(shuffled, arrivals, count - 1);

            Assert.True(shuffled.IsComplete);
            foreach (var view in Views)
                Assert.Equal(reference.Render(view), shuffled.Render(view));
        }
    }

    [Fact]
    public void Bounded_reordering_with_lost_segments_gives_byte_identical_playlists()
    {
        // Realistic delivery: a segment overtaken by fewer than K later ones is never given up, and lost
        // segments (holes) are skipped the same way whatever the order.
        const int K = 3;
        var random = new Random(1977);
        for (var round = 0; round < 200; round++)
        {
            var count = random.Next(K, 40);
            // Holes only where at least K segments follow, so each one is skipped in the end.
            var set = Enumerable.Range(0, count)
                .Where(i => i >= count - K || random.Next(6) != 0)
                .Select(i => Segment(i, 3.0 - random.Next(0, 300) / 1000.0))
                .ToList();
            var last = count - 1;

            var reference = NewState(K);
            Feed(reference, [.. set.Select(s => new Delivery(s)), new Delivery(null)], last);
            Assert.True(reference.IsComplete);

            var keyed = set.Select((s, i) => (Key: i + random.NextDouble() * (K - 1), Delivery: new Delivery(s))).ToList();
            keyed.Add((random.NextDouble() * (set.Count + 1), new Delivery(null)));
            foreach (var (key, delivery) in keyed.ToArray())
                if (delivery.Segment is not null && random.Next(3) == 0)
                    keyed.Add((key + random.NextDouble() * 5, delivery)); // a redelivery, later than the first
            var shuffled = NewState(K);
            Feed(shuffled, keyed.OrderBy(k => k.Key).Select(k => k.Delivery), last);

            Assert.True(shuffled.IsComplete);
            foreach (var view in Views)
                Assert.Equal(reference.Render(view), shuffled.Render(view));
        }
    }
}
