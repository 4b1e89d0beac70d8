using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace DaprVideo.Tests.Core.Tracking;

public sealed class TrackingHandoffTests
{
    private static readonly StreamId Cam = StreamId.Parse("cam");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private readonly MemoryObjectStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private static StreamTracking Tracking(long sequence, long nextId) => new(Cam.Value, sequence, new TrackerState(nextId, sequence * 3.0, [], []), []);

    [Fact]
    public async Task The_first_chunk_has_nothing_to_continue()
    {
        var handoff = new TrackingHandoff(_store, _time, Timeout, Poll);
        Assert.Null(await handoff.PreviousAsync(Cam, 0, CancellationToken.None));
    }

    [Fact]
    public async Task A_chunk_waits_for_its_predecessor_in_this_process_however_long_it_takes()
    {
        var handoff = new TrackingHandoff(_store, _time, Timeout, Poll);
        handoff.Begin(Cam, 4);
        var next = handoff.PreviousAsync(Cam, 5, CancellationToken.None);
        // Well past the timeout: a predecessor still in work here is waited for.
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(next.IsCompleted);
        var handed = Tracking(4, 12);
        handoff.Complete(Cam, 4, handed);
        Assert.Same(handed, await next.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Another_replicas_predecessor_is_read_from_the_store_once_it_is_there()
    {
        var handoff = new TrackingHandoff(_store, _time, Timeout, Poll);
        var next = handoff.PreviousAsync(Cam, 5, CancellationToken.None);
        Assert.False(next.IsCompleted);
        await _store.PutAsync(ObjectKeys.Tracking(Cam, 4), Tracking(4, 31).ToJsonBytes());
        // Time moves in poll steps until the waiting chunk looks again.
        await Eventually.HoldsAsync(() =>
        {
            if (!next.IsCompleted) _time.Advance(Poll);
            return Task.FromResult(next.IsCompleted);
        }, done => done, "the waiting chunk to read its predecessor's tracking", seconds: 20);
        Assert.Equal(31, (await next)!.Tracker.NextId);
    }

    [Fact]
    public async Task A_predecessor_lost_for_good_is_given_up_after_the_timeout()
    {
        var handoff = new TrackingHandoff(_store, _time, Timeout, Poll);
        var next = handoff.PreviousAsync(Cam, 5, CancellationToken.None);
        await Eventually.HoldsAsync(() =>
        {
            if (!next.IsCompleted) _time.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(next.IsCompleted);
        }, done => done, "the waiting chunk to give up", seconds: 20);
        Assert.Null(await next);
        Assert.True(_time.GetUtcNow() - new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero) >= Timeout);
    }

    [Fact]
    public async Task A_predecessor_done_before_tracking_existed_is_not_waited_for()
    {
        await _store.PutAsync(ObjectKeys.SegmentRecord(Cam, 4), "{}"u8.ToArray());
        var handoff = new TrackingHandoff(_store, _time, Timeout, Poll);
        Assert.Null(await handoff.PreviousAsync(Cam, 5, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_failed_predecessor_here_falls_back_to_the_store()
    {
        await _store.PutAsync(ObjectKeys.Tracking(Cam, 4), Tracking(4, 8).ToJsonBytes());
        var handoff = new TrackingHandoff(_store, _time, Timeout, Poll);
        handoff.Begin(Cam, 4);
        var next = handoff.PreviousAsync(Cam, 5, CancellationToken.None);
        handoff.Complete(Cam, 4, null);
        Assert.Equal(8, (await next.WaitAsync(TimeSpan.FromSeconds(10)))!.Tracker.NextId);
    }
}
