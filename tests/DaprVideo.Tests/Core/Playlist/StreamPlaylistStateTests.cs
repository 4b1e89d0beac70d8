using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;

namespace DaprVideo.Tests.Core.Playlist;

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

    [Fact]
    public void Publishes_only_the_contiguous_run_and_ignores_duplicates()
    {
        var state = NewState();

        Assert.True(state.Add(Segment(0)));
        Assert.False(state.Add(Segment(2)));
        Assert.False(state.Add(Segment(0)));
        Assert.False(state.Add(Segment(2, duration: 2.0))); // a conflicting duplicate changes nothing either
        Assert.Equal(1, state.Version);
        Assert.Equal([0L], state.Segments.Select(s => s.Sequence));

        Assert.True(state.Add(Segment(1)));
        Assert.Equal([0L, 1L, 2L], state.Segments.Select(s => s.Sequence));
        Assert.Equal(3.0, state.Segments[2].DurationSeconds);
        Assert.Same(state.Render(PlaylistView.Event), state.Render(PlaylistView.Event));
    }

    [Fact]
    public void A_hole_is_skipped_once_K_later_segments_wait_and_the_next_one_is_marked()
    {
        var state = NewState(holeSkip: 3);
        Feed(state, [new(Segment(0)), new(Segment(1)), new(Segment(3)), new(Segment(4))], 99);
        Assert.Equal(2, state.NextSequence);

        Assert.True(state.Add(Segment(5)));
        Assert.False(state.Add(Segment(2))); // too late: given up

        var playlist = Parse(state, PlaylistView.Event);
        Assert.Equal(["segments/000000.ts", "segments/000001.ts", "segments/000003.ts", "segments/000004.ts", "segments/000005.ts"],
            playlist.Segments.Select(s => s.Uri));
        Assert.Equal([false, false, true, false, false], playlist.Segments.Select(s => s.Discontinuity));
        Assert.Equal(6, state.NextSequence);
    }

    [Fact]
    public void Endlist_appears_only_when_every_sequence_up_to_the_last_is_present()
    {
        var state = NewState();
        Feed(state, [new(Segment(0)), new(null), new(Segment(2))], lastSequence: 2);
        Assert.False(state.IsComplete);
        Assert.False(Parse(state, PlaylistView.Event).EndList);
        Assert.False(Parse(state, PlaylistView.Live).EndList);

        Assert.False(state.Add(Segment(3))); // past the announced end
        Assert.True(state.Add(Segment(1)));

        Assert.True(state.IsComplete);
        Assert.True(Parse(state, PlaylistView.Event).EndList);
        Assert.True(Parse(state, PlaylistView.Live).EndList);
        Assert.Equal(3, Parse(state, PlaylistView.Vod).Segments.Count);
        Assert.False(state.End(2));
    }

    [Fact]
    public void A_stream_that_captured_nothing_ends_at_once()
    {
        var state = NewState();

        Assert.True(state.End(-1));

        var playlist = Parse(state, PlaylistView.Event);
        Assert.True(playlist.EndList);
        Assert.Empty(playlist.Segments);
    }

    [Fact]
    public void Skip_missing_gives_up_the_tail_of_an_ended_stream()
    {
        var state = NewState();
        Feed(state, [new(Segment(0)), new(Segment(2)), new(null)], lastSequence: 4);
        Assert.False(state.IsComplete);

        Assert.True(state.SkipMissing());

        Assert.True(state.IsComplete);
        var playlist = Parse(state, PlaylistView.Event);
        Assert.True(playlist.EndList);
        Assert.Equal([false, true], playlist.Segments.Select(s => s.Discontinuity));
        Assert.False(state.SkipMissing());
    }

    [Fact]
    public void Live_window_slides_with_monotonic_sequence_numbers_and_enough_duration()
    {
        var random = new Random(42);
        var state = NewState();
        var previous = Parse(state, PlaylistView.Live);
        var sequenceNumbers = new List<long>();
        for (var i = 0; i < 60; i++)
        {
            state.Add(Segment(i, 2.0 + random.Next(0, 1500) / 1000.0, discontinuity: i % 7 == 3));
            var live = Parse(state, PlaylistView.Live);
            M3u8Parser.CheckReload(previous, live);
            var whole = Parse(state, PlaylistView.Event);
            Assert.True(live.TotalDuration >= 3 * live.TargetDuration || live.Segments.Count == whole.Segments.Count);
            Assert.True(live.TotalDuration - live.Segments[0].Duration < 3 * live.TargetDuration, "the window is the shortest such tail");
            Assert.Equal(whole.Segments.TakeLast(live.Segments.Count), live.Segments); // same numbers as the full playlist
            sequenceNumbers.Add(live.MediaSequence);
            previous = live;
        }
        Assert.True(sequenceNumbers[^1] > 40);
        Assert.True(previous.DiscontinuitySequence > 0);
    }

    [Fact]
    public void A_long_segment_raises_the_target_duration_without_moving_the_window_back()
    {
        var state = NewState();
        for (var i = 0; i < 10; i++)
            state.Add(Segment(i));
        var before = Parse(state, PlaylistView.Live);

        state.Add(Segment(10, duration: 5.7));
        var after = Parse(state, PlaylistView.Live);

        Assert.Equal((3, 6), (before.TargetDuration, after.TargetDuration));
        M3u8Parser.CheckReload(before, after);
        Assert.All(Parse(state, PlaylistView.Event).Segments, s => Assert.True(Math.Round(s.Duration, MidpointRounding.AwayFromZero) <= 6));
    }

    [Fact]
    public void Program_date_time_strictly_increases_even_when_the_source_clock_steps_back()
    {
        var state = NewState();
        state.Add(Segment(0));
        state.Add(Segment(1) with { Start = T0.AddSeconds(1) });
        state.Add(Segment(2) with { Start = T0.AddTicks(-5) });
        state.Add(Segment(3) with { Start = T0.AddSeconds(4).AddTicks(9999) }); // the same millisecond as segment 2

        var dates = Parse(state, PlaylistView.Event).Segments.Select(s => s.ProgramDateTime!.Value).ToArray();

        Assert.Equal([T0, T0.AddSeconds(1), T0.AddSeconds(4), T0.AddSeconds(7)], dates);
    }

    [Fact]
    public void A_configured_first_sequence_starts_the_playlist()
    {
        var state = NewState(first: 5);

        Assert.False(state.Add(Segment(4)));
        Assert.True(state.Add(Segment(5)));

        var playlist = Parse(state, PlaylistView.Event);
        Assert.Equal(5, playlist.MediaSequence);
        Assert.Equal("segments/000005.ts", playlist.Segments[0].Uri);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(3000.0)]
    public void Refuses_a_segment_with_an_impossible_duration(double duration)
    {
        var state = NewState();

        Assert.Throws<ArgumentException>(() => state.Add(Segment(0, duration)));
        Assert.Equal(0, state.Version);
    }

    [Theory]
    [InlineData(0.0, 3, 3, 0, "SegmentSeconds")]
    [InlineData(3.0, 2, 3, 0, "LiveWindowTargetDurations")]
    [InlineData(3.0, 3, 0, 0, "HoleSkipThreshold")]
    [InlineData(3.0, 3, 3, -1, "FirstSequence")]
    public void Options_name_the_bad_setting(double seconds, int window, int holeSkip, long first, string name)
    {
        var options = new PlaylistOptions { SegmentSeconds = seconds, LiveWindowTargetDurations = window, HoleSkipThreshold = holeSkip, FirstSequence = first };

        var error = Assert.Throws<ArgumentException>(() => options.Validate());

        Assert.StartsWith(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_change_releases_whoever_waits_for_it_and_nothing_else_does()
    {
        var state = NewState();
        Assert.Null(state.LastMediaSequence);
        state.Add(Segment(0));
        var version = state.Version;
        var waiting = state.ChangedSince(version);
        Assert.False(waiting.IsCompleted);

        state.Add(Segment(0));   // a duplicate
        state.Add(Segment(2));   // waits behind the hole at 1: nothing published
        Assert.False(waiting.IsCompleted);
        Assert.Equal(0, state.LastMediaSequence);

        state.Add(Segment(1));   // 1 and 2 published
        Assert.True(waiting.IsCompletedSuccessfully);
        Assert.Equal(2, state.LastMediaSequence);
        Assert.True(state.ChangedSince(version).IsCompleted); // asked late: the version already moved on
        Assert.False(state.ChangedSince(state.Version).IsCompleted);
    }

    [Fact]
    public void Last_media_sequence_counts_published_segments_across_holes_and_retention()
    {
        var state = NewState(holeSkip: 1);
        state.Add(Segment(0));
        state.Add(Segment(2)); // 1 is given up at once: 2 is published with media sequence 1
        Assert.Equal(1, state.LastMediaSequence);
        Assert.Equal(1, Parse(state, PlaylistView.Event).Segments[^1].MediaSequenceNumber);

        var waiting = state.ChangedSince(state.Version);
        Assert.True(state.Trim(state.CutOldest(1)!));
        Assert.True(waiting.IsCompleted);
        Assert.Equal(1, state.LastMediaSequence);
        Assert.Equal(1, Parse(state, PlaylistView.Event).Segments[^1].MediaSequenceNumber);
    }
}
