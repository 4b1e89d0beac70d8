using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Embedded.Commands;

namespace DaprVideo.Tests.Embedded;

/// <summary><c>serve --demo</c>: the clip loops as a live camera until stopped, and its regenerated segments are never immutable.</summary>
[Trait("Speed", "Slow")]
public sealed class DemoStreamTests
{
    [Fact]
    public async Task The_demo_loops_as_a_live_camera_past_its_clip_and_its_segments_are_revalidated()
    {
        await using var host = await ServeHost.StartAsync(segmentSeconds: 1, demo: true);
        // Four stills of 0.5 s: a 2 s clip.
        const double clipSeconds = 2;
        await ServeCommand.StartDemoAsync(host.App.Services, host.Data, CancellationToken.None, secondsEach: clipSeconds / 4);

        // Well past the clip's end (twice over), the stream is still running and its live playlist open.
        var status = await Eventually.HoldsAsync(
            () => host.Http.GetFromJsonAsync<JsonElement>($"/api/streams/{ServeCommand.DemoId}"),
            s => s.GetProperty("state").GetString() != "running" || s.GetProperty("durationSeconds").GetDouble() > 2 * clipSeconds + 1,
            "the demo to run past two loops of its clip", seconds: 120);
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("live").GetBoolean());

        var live = await Eventually.HoldsAsync(
            async () =>
            {
                // 404 until the first segment is listed: keep polling.
                using var response = await host.Http.GetAsync($"/streams/{ServeCommand.DemoId}/live.m3u8");
                return response.IsSuccessStatusCode ? M3u8Parser.Parse(await response.Content.ReadAsStringAsync()) : null;
            },
            p => p is not null && p.MediaSequence + p.Segments.Count > 2 * clipSeconds + 1, "segments past two loops of the clip listed", seconds: 120);
        Assert.NotNull(live);
        Assert.False(live.EndList);
        Assert.Null(live.PlaylistType);

        // Made anew under the same keys on the next start: a cache must revalidate, never keep it for a year.
        var segment = await host.Http.GetAsync($"/streams/{ServeCommand.DemoId}/{live.Segments[0].Uri}");
        Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
        Assert.True(segment.Headers.CacheControl?.NoCache);
        Assert.DoesNotContain("immutable", segment.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        Assert.NotNull(segment.Headers.ETag);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync($"/api/streams/{ServeCommand.DemoId}")).StatusCode);
    }
}
