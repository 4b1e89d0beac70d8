using DaprVideo.Core.Playlist;

namespace DaprVideo.Tests.Core.Playlist;

/// <summary>The pure retention decision: age, bytes, both, and their boundaries.</summary>
public class RetentionPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Ten 3 s segments from T0, 100 bytes each.</summary>
    private static readonly PlaylistSegment[] Ten = [.. Enumerable.Range(0, 10).Select(i => new PlaylistSegment(i, T0.AddSeconds(3 * i), 3, false, 100))];

    [Fact]
    public void Off_removes_nothing()
    {
        Assert.True(RetentionPolicy.Off.IsOff);
        Assert.Equal(0, RetentionPolicy.Off.Expired(Ten, T0.AddYears(10)));
    }

    [Fact]
    public void Age_counts_from_a_segments_end()
    {
        // Max age 9 s at now = 30 s: horizon 21 s; segments ending at or before 21 s (0..6) go.
        var policy = new RetentionPolicy(TimeSpan.FromSeconds(9), null);
        Assert.Equal(7, policy.Expired(Ten, T0.AddSeconds(30)));
    }

    [Fact]
    public void Age_boundary_a_segment_ending_exactly_at_the_horizon_goes_one_a_millisecond_later_stays()
    {
        var policy = new RetentionPolicy(TimeSpan.FromSeconds(10), null);
        // Segment 0 ends at 3 s. Horizon = now - 10 s.
        Assert.Equal(1, policy.Expired(Ten, T0.AddSeconds(13)));
        Assert.Equal(0, policy.Expired(Ten, T0.AddSeconds(13).AddMilliseconds(-1)));
    }

    [Fact]
    public void Age_removes_everything_of_a_stream_that_ended_long_ago()
    {
        Assert.Equal(10, new RetentionPolicy(TimeSpan.FromDays(1), null).Expired(Ten, T0.AddDays(2)));
    }

    [Fact]
    public void Bytes_remove_the_oldest_until_the_rest_fit_and_never_the_newest()
    {
        Assert.Equal(0, new RetentionPolicy(null, 1000).Expired(Ten, T0));   // exactly at the limit: all stay
        Assert.Equal(1, new RetentionPolicy(null, 999).Expired(Ten, T0));    // one byte over: the oldest goes
        Assert.Equal(6, new RetentionPolicy(null, 400).Expired(Ten, T0));
        Assert.Equal(9, new RetentionPolicy(null, 1).Expired(Ten, T0));      // smaller than one segment: the newest stays
    }

    [Fact]
    public void Both_limits_remove_whichever_reaches_further()
    {
        var policy = new RetentionPolicy(TimeSpan.FromSeconds(24), 500);
        Assert.Equal(5, policy.Expired(Ten, T0.AddSeconds(30)));  // age alone: 2; bytes alone: 5
        Assert.Equal(8, policy.Expired(Ten, T0.AddSeconds(48)));  // age alone: 8 (horizon 24 s); bytes then hold
    }

    [Fact]
    public void Segments_of_unknown_size_count_for_nothing_against_bytes()
    {
        PlaylistSegment[] old = [.. Ten.Select(s => s with { Bytes = 0 })];
        Assert.Equal(0, new RetentionPolicy(null, 1).Expired(old, T0));
    }

    [Fact]
    public void A_stream_overrides_the_deployments_limits_one_by_one()
    {
        var deployment = new RetentionPolicy(TimeSpan.FromDays(7), 1L << 30);
        Assert.Same(deployment, deployment.For(null));
        Assert.Equal(new RetentionPolicy(TimeSpan.FromHours(1), 1L << 30), deployment.For(new DaprVideo.Core.Streams.StreamRetention(3600, null)));
        Assert.Equal(new RetentionPolicy(null, 5), RetentionPolicy.Off.For(new DaprVideo.Core.Streams.StreamRetention(null, 5)));
    }
}
