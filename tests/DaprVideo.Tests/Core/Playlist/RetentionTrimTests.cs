using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;

namespace DaprVideo.Tests.Core.Playlist;

/// <summary>Playlists stay lawful when retention removes their oldest segments (RFC 8216 §6.2.1, §6.2.2, §4.3.3.3).</summary>
public class RetentionTrimTests
{
    private static readonly StreamId Cam = StreamId.Parse("cam");
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static StreamPlaylistState Retained(params int[] discontinuities)
    {
        var state = new StreamPlaylistState(Cam, new PlaylistOptions(), retained: true);
        for (var i = 0; i < 10; i++)
            state.Add(new PlaylistSegment(i, T0.AddSeconds(3 * i), 3, discontinuities.Contains(i), 100));
        return state;
    }

    [Fact]
    public void A_retained_stream_has_no_EVENT_type_from_its_first_rendering_on()
    {
        var state = new StreamPlaylistState(Cam, new PlaylistOptions(), retained: true);
        state.Add(new PlaylistSegment(0, T0, 3, false));
        var index = M3u8Parser.Parse(state.Render(PlaylistView.Event));
        Assert.Null(index.PlaylistType);
        Assert.True(index.HasDiscontinuitySequence);

        var plain = new StreamPlaylistState(Cam, new PlaylistOptions());
        plain.Add(new PlaylistSegment(0, T0, 3, false));
        Assert.Equal("EVENT", M3u8Parser.Parse(plain.Render(PlaylistView.Event)).PlaylistType);
    }

    [Fact]
    public void Removing_segments_advances_MEDIA_SEQUENCE_and_DISCONTINUITY_SEQUENCE_by_what_went()
    {
        // Discontinuity tags on 0 (never shown: nothing precedes it), 2, 4 and 7.
        var state = Retained(0, 2, 4, 7);
        var before = M3u8Parser.Parse(state.Render(PlaylistView.Event));
        var liveBefore = M3u8Parser.Parse(state.Render(PlaylistView.Live));

        var cut = state.CutOldest(5)!;               // removes 0..4 with the tags of 2 and 4
        Assert.Equal(new RetentionCut(4, 5, 2), cut);
        Assert.True(state.Trim(cut));

        var after = M3u8Parser.Parse(state.Render(PlaylistView.Event));
        Assert.Equal(5, after.MediaSequence);
        Assert.Equal(2, after.DiscontinuitySequence);
        Assert.Equal("segments/000005.ts", after.Segments[0].Uri);
        M3u8Parser.CheckReload(before, after);        // every segment that stayed kept its numbers
        M3u8Parser.CheckReload(liveBefore, M3u8Parser.Parse(state.Render(PlaylistView.Live)));

        // The next cut takes 5..7: the tag of 7 goes too.
        Assert.True(state.Trim(state.CutOldest(3)!));
        var later = M3u8Parser.Parse(state.Render(PlaylistView.Event));
        Assert.Equal(8, later.MediaSequence);
        Assert.Equal(3, later.DiscontinuitySequence);
        M3u8Parser.CheckReload(after, later);
    }

    [Fact]
    public void The_first_listed_segment_keeps_its_discontinuity_once_older_ones_are_gone()
    {
        var state = Retained(5);
        var before = M3u8Parser.Parse(state.Render(PlaylistView.Event));
        state.Trim(state.CutOldest(5)!);
        var after = M3u8Parser.Parse(state.Render(PlaylistView.Event));
        Assert.True(after.Segments[0].Discontinuity);
        Assert.Equal(0, after.DiscontinuitySequence);   // the tag was not removed, so the count did not move
        M3u8Parser.CheckReload(before, after);
    }

    [Fact]
    public void Cuts_are_idempotent_and_a_replica_without_the_removed_segments_numbers_the_rest_the_same()
    {
        var a = Retained(2, 4);
        var cut = a.CutOldest(6)!;
        Assert.True(a.Trim(cut));
        Assert.False(a.Trim(cut));                                // again: nothing changes
        Assert.False(a.Trim(cut with { Through = 3 }));           // an older cut: nothing changes

        // A replica that only ever got 6..9 (restarted after the deletes) learns the cut first.
        var b = new StreamPlaylistState(Cam, new PlaylistOptions(), retained: true);
        b.Trim(cut);
        foreach (var i in new[] { 7, 6, 9, 8 }) b.Add(new PlaylistSegment(i, T0.AddSeconds(3 * i), 3, false, 100));
        foreach (var view in new[] { PlaylistView.Event, PlaylistView.Live })
            Assert.Equal(a.Render(view), b.Render(view));
    }

    [Fact]
    public void Sequences_a_cut_covers_are_not_waited_for_and_do_not_come_back()
    {
        var state = new StreamPlaylistState(Cam, new PlaylistOptions { HoleSkipThreshold = 3 }, retained: true);
        state.Add(new PlaylistSegment(0, T0, 3, false));
        state.Add(new PlaylistSegment(2, T0.AddSeconds(6), 3, false));   // 1 is missing: 2 waits
        Assert.Single(state.Segments);

        state.Trim(new RetentionCut(1, 2, 0));                          // another replica removed 0 and 1
        Assert.Equal([2L], state.Segments.Select(s => s.Sequence));
        Assert.False(state.Segments[0].Discontinuity);                  // a cut is not a hole
        Assert.False(state.Add(new PlaylistSegment(1, T0.AddSeconds(3), 3, false)));
        Assert.Empty(state.Missing(3, 10));
    }

    [Fact]
    public void Everything_removed_leaves_an_empty_lawful_playlist_that_ended()
    {
        var state = Retained();
        state.End(9);
        var before = M3u8Parser.Parse(state.Render(PlaylistView.Event));
        state.Trim(state.CutOldest(10)!);
        var after = M3u8Parser.Parse(state.Render(PlaylistView.Event));
        Assert.Empty(after.Segments);
        Assert.True(after.EndList);
        Assert.Equal(10, after.MediaSequence);
        Assert.True(before.EndList);
    }
}
