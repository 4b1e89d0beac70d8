using DaprVideo.Core.Streams;
using DaprVideo.Core.Tracking;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Tracking;

public sealed class ChunkTrackingHandOffTests
{
    private static readonly StreamId Cam = StreamId.Parse("cam");
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Once_every_frame_is_tracked_the_final_state_is_handed_on_before_the_chunk_completes()
    {
        var handed = new List<(TrackerState State, IReadOnlyList<OpenEvent> Open)>();
        using var tracking = new ChunkTracking(Task.FromResult<StreamTracking?>(null),
            _ => (new ObjectTracker(new TrackerOptions()), new TrackEventLog(Cam, 0, Start, 0, null, [], Start)),
            handOff: (state, open) => handed.Add((state, open)));
        var frame = new ImageFrame(new byte[16 * 16 * 3 / 2], 16, 16, PixelFormat.I420, 16);
        var person = new Detection("person", 1, 0.9f, new BoundingBox(0.2f, 0.2f, 0.3f, 0.5f));
        for (var t = 0.0; t < 3; t += 0.2)
            await tracking.AnalysedAsync(t, [person with { Box = person.Box with { X = 0.2f + (float)t * 0.02f } }], frame, CancellationToken.None);
        Assert.Empty(handed); // not while frames may still come

        tracking.FramesTracked();
        var (state, open) = Assert.Single(handed);
        var result = tracking.Complete()!;
        // The same state the chunk's completion stores (the tracker's state is a fresh snapshot each time: compare as stored).
        Assert.Equal(new StreamTracking(Cam.Value, 0, result.Tracker, result.Open).ToJsonBytes(), new StreamTracking(Cam.Value, 0, state, open).ToJsonBytes());
        Assert.NotEmpty(open); // the person's event is open and goes on in the next chunk
    }

    [Fact]
    public void A_chunk_with_no_tracked_frame_hands_nothing_on_early()
    {
        var handed = 0;
        using var tracking = new ChunkTracking(Task.FromResult<StreamTracking?>(null),
            _ => (new ObjectTracker(new TrackerOptions()), new TrackEventLog(Cam, 0, Start, 0, null, [], Start)),
            handOff: (_, _) => handed++);
        tracking.FramesTracked();
        Assert.Equal(0, handed);
        Assert.Null(tracking.Complete());
    }
}
