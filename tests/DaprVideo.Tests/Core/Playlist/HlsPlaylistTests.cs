using DaprVideo.Core.Playlist;

namespace DaprVideo.Tests.Core.Playlist;

public class HlsPlaylistTests
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static PlaylistSegment[] Segments(params double[] durations)
    {
        var start = T0;
        return durations.Select((d, i) =>
        {
            var segment = new PlaylistSegment(i, start, d, Discontinuity: false);
            start = start.AddSeconds(d);
            return segment;
        }).ToArray();
    }

    [Fact]
    public void Vod_view_matches_the_expected_text()
    {
        var segments = Segments(3.0, 2.9996, 1.5);
        segments[2] = segments[2] with { Discontinuity = true, Start = T0.AddSeconds(10) };

        var text = HlsPlaylist.Render(PlaylistView.Vod, segments, targetDuration: 3, ended: false);

        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-TARGETDURATION:3
            #EXT-X-MEDIA-SEQUENCE:0
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00.000Z
            #EXTINF:3.000,
            segments/000000.ts
            #EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:03.000Z
            #EXTINF:3.000,
            segments/000001.ts
            #EXT-X-DISCONTINUITY
            #EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:10.000Z
            #EXTINF:1.500,
            segments/000002.ts
            #EXT-X-ENDLIST

            """.ReplaceLineEndings("\n"), text);
        var parsed = M3u8Parser.Parse(text);
        Assert.True(parsed.EndList);
        Assert.Equal([0L, 0L, 1L], parsed.Segments.Select(s => s.DiscontinuitySequenceNumber));
    }

    [Fact]
    public void Event_view_has_endlist_only_when_ended()
    {
        var segments = Segments(3, 3);

        var running = M3u8Parser.Parse(HlsPlaylist.Render(PlaylistView.Event, segments, 3, ended: false));
        var ended = M3u8Parser.Parse(HlsPlaylist.Render(PlaylistView.Event, segments, 3, ended: true));

        Assert.Equal(("EVENT", false), (running.PlaylistType, running.EndList));
        Assert.Equal(("EVENT", true), (ended.PlaylistType, ended.EndList));
        Assert.True(running.IndependentSegments);
        M3u8Parser.CheckReload(running, ended);
    }

    [Theory]
    [InlineData(3.0, new[] { 3.0, 3.4994 }, 3)]
    [InlineData(3.0, new[] { 3.0, 3.4995 }, 4)] // EXTINF 3.500 rounds to 4 (RFC 8216 §4.3.3.1)
    [InlineData(2.5, new[] { 2.5 }, 3)]
    [InlineData(3.0, new double[0], 3)]
    [InlineData(0.2, new[] { 0.2 }, 1)]
    public void Target_duration_covers_configured_length_and_every_rounded_extinf(double configured, double[] durations, int expected)
    {
        Assert.Equal(expected, HlsPlaylist.TargetDuration(configured, Segments(durations)));
    }

    [Fact]
    public void Refuses_a_segment_longer_than_the_target_duration()
    {
        var error = Assert.Throws<ArgumentException>(() => HlsPlaylist.Render(PlaylistView.Event, Segments(3, 3.5), 3, false));

        Assert.Contains("target duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Live_view_lists_the_shortest_tail_of_three_target_durations()
    {
        var segments = Segments(Enumerable.Repeat(3.0, 10).ToArray());
        segments[4] = segments[4] with { Discontinuity = true };
        segments[8] = segments[8] with { Discontinuity = true };

        var start = HlsPlaylist.LiveWindowStart(segments, 3, 3);
        var live = M3u8Parser.Parse(HlsPlaylist.Render(PlaylistView.Live, segments, 3, ended: false, start));

        Assert.Equal(7, start);
        Assert.Null(live.PlaylistType);
        Assert.False(live.EndList);
        Assert.Equal(7, live.MediaSequence);
        Assert.Equal(1, live.DiscontinuitySequence); // segment 4's tag slid out; segment 8's is still listed
        Assert.Equal(["segments/000007.ts", "segments/000008.ts", "segments/000009.ts"], live.Segments.Select(s => s.Uri));
        Assert.Equal([1L, 2L, 2L], live.Segments.Select(s => s.DiscontinuitySequenceNumber));
    }

    [Fact]
    public void Live_window_start_never_moves_back()
    {
        var segments = Segments(2, 2, 2, 2, 2, 2);

        Assert.Equal(1, HlsPlaylist.LiveWindowStart(segments, 3, 3)); // 5 x 2 s >= 9 s
        Assert.Equal(2, HlsPlaylist.LiveWindowStart(segments, 3, 3, previousStart: 2));
        Assert.Equal(0, HlsPlaylist.LiveWindowStart(segments, 5, 3)); // 12 s < 15 s: everything
    }

    [Fact]
    public void Program_date_time_is_utc_with_milliseconds()
    {
        var local = new DateTimeOffset(2024, 5, 1, 14, 0, 3, 250, TimeSpan.FromHours(2));

        Assert.Equal("2024-05-01T12:00:03.250Z", HlsPlaylist.FormatDateTime(local));
    }

    [Fact]
    public void Blocking_reload_is_advertised_only_on_a_playlist_that_can_still_grow()
    {
        var segments = Segments(3, 3);
        string Render(PlaylistView view, bool ended, bool canBlockReload) =>
            HlsPlaylist.Render(view, segments, 3, ended, canBlockReload: canBlockReload);

        foreach (var view in new[] { PlaylistView.Live, PlaylistView.Event })
        {
            var open = Render(view, ended: false, canBlockReload: true);
            Assert.Contains("#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n#EXT-X-PROGRAM-DATE-TIME", open, StringComparison.Ordinal);
            Assert.True(M3u8Parser.Parse(open).CanBlockReload);
            // Without the flag (the copy in the store) the text is what it always was, tag for tag.
            Assert.Equal(open.Replace("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n", "", StringComparison.Ordinal),
                Render(view, ended: false, canBlockReload: false));
            // An ended playlist ignores _HLS_msn (rfc8216bis 6.2.5.2): nothing to block for.
            Assert.False(M3u8Parser.Parse(Render(view, ended: true, canBlockReload: true)).CanBlockReload);
        }
        Assert.False(M3u8Parser.Parse(Render(PlaylistView.Vod, ended: false, canBlockReload: true)).CanBlockReload);
    }
}
