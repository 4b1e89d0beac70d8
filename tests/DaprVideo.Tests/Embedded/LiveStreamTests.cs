using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.Embedded;

/// <summary>A live test pattern through the real <c>serve</c> host: the window slides, stopping ends the playlist.</summary>
[Trait("Speed", "Slow")]
public class LiveStreamTests
{
    [Fact]
    public async Task Live_window_slides_lawfully_and_stopping_ends_the_full_playlist()
    {
        await using var host = await ServeHost.StartAsync(segmentSeconds: 1);
        var created = await host.Http.PostAsJsonAsync("/api/streams", new { id = "live", source = "testsrc:size=320x240:rate=25" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Every distinct live.m3u8 a player could fetch must be a lawful reload of the one before.
        var seen = new List<M3u8Playlist>();
        await Eventually.HoldsAsync(async () =>
        {
            var response = await host.Http.GetAsync("/streams/live/live.m3u8");
            if (!response.IsSuccessStatusCode) return -1L;
            Assert.Equal("application/vnd.apple.mpegurl", response.Content.Headers.ContentType?.MediaType);
            var playlist = M3u8Parser.Parse(await response.Content.ReadAsStringAsync());
            if (seen.Count == 0 || playlist.Segments.Count != seen[^1].Segments.Count || playlist.MediaSequence != seen[^1].MediaSequence)
            {
                if (seen.Count > 0) M3u8Parser.CheckReload(seen[^1], playlist);
                seen.Add(playlist);
            }
            return playlist.MediaSequence;
        }, sequence => sequence >= 2, "the live window to slide by two segments");

        var last = seen[^1];
        Assert.Null(last.PlaylistType);
        Assert.False(last.EndList);
        Assert.True(last.TotalDuration >= 3 * last.TargetDuration - 0.05, $"window of {last.TotalDuration}s is under 3 target durations");

        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync("/api/streams/live")).StatusCode);
        var index = await Eventually.HoldsAsync(
            async () => M3u8Parser.Parse(await host.Http.GetStringAsync("/streams/live/index.m3u8")),
            p => p.EndList, "ENDLIST in index.m3u8 after stopping");
        Assert.Equal("EVENT", index.PlaylistType);
        Assert.Equal(0, index.MediaSequence);
        var status = await host.Http.GetFromJsonAsync<JsonElement>("/api/streams/live");
        Assert.Equal("ended", status.GetProperty("state").GetString());
        Assert.Equal(status.GetProperty("segments").GetInt64(), index.Segments.Count);

        // Segments are served with their type and as immutable.
        var segment = await host.Http.GetAsync($"/streams/live/{index.Segments[0].Uri}");
        Assert.Equal("video/mp2t", segment.Content.Headers.ContentType?.MediaType);
        Assert.True(segment.Headers.CacheControl?.MaxAge > TimeSpan.FromDays(1));

        // Duplicate and out-of-order announcements of the same segments change nothing.
        var before = (await host.Http.GetStringAsync("/streams/live/live.m3u8"), await host.Http.GetStringAsync("/streams/live/index.m3u8"));
        var playlists = host.App.Services.GetRequiredService<PlaylistBuilder>();
        var id = StreamId.Parse("live");
        for (var seq = index.Segments.Count - 1; seq >= 0; seq--)
        {
            await playlists.OnSegmentAsync(new SegmentAnnotated("live", seq, ObjectKeys.Segment(id, seq), ObjectKeys.SegmentRecord(id, seq),
                DateTimeOffset.UnixEpoch, 1, false, true));
        }
        await playlists.OnStreamEndedAsync(new StreamEnded("live", index.Segments.Count - 1));
        Assert.Equal(before, (await host.Http.GetStringAsync("/streams/live/live.m3u8"), await host.Http.GetStringAsync("/streams/live/index.m3u8")));
    }
}
