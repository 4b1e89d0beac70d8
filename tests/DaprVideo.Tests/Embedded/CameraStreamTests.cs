using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Tests.Infrastructure;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// Real RTSP cameras (<see cref="RtspServerFixture"/>) through the Ingest module of the real <c>serve</c> host: a
/// credentialed camera streams into a lawful playlist; a wrong password ends the stream failed with the camera's answer.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class CameraStreamTests
{
    [Theory]
    [InlineData(RtspAuth.Digest, "h264")]
    [InlineData(RtspAuth.Basic, "h265")]
    public async Task A_credentialed_camera_streams_into_a_lawful_live_playlist(RtspAuth auth, string mount)
    {
        await using var camera = await RtspServerFixture.StartNewAsync(auth);
        await using var host = await ServeHost.StartAsync(segmentSeconds: 1);

        var created = await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = camera.Url(mount) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var status = await Eventually.HoldsAsync(() => host.Http.GetFromJsonAsync<JsonElement>("/api/streams/cam"),
            s => s.GetProperty("segments").GetInt64() >= 3 || s.GetProperty("state").GetString() is "failed" or "ended",
            "three segments from the camera");
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal($"rtsp://127.0.0.1:{camera.Port}/{mount}", status.GetProperty("source").GetString());
        var index = await Eventually.HoldsAsync(
            async () => M3u8Parser.Parse(await host.Http.GetStringAsync("/streams/cam/index.m3u8")),
            p => p.Segments.Count >= 2, "two segments listed");
        Assert.Equal([0L, 1L], index.Segments.Take(2).Select(s => s.MediaSequenceNumber));
        Assert.All(index.Segments, s => Assert.False(s.Discontinuity));
    }

    [Theory]
    [InlineData(RtspAuth.Basic)]
    [InlineData(RtspAuth.Digest)]
    public async Task A_wrong_password_fails_the_stream_with_the_cameras_answer(RtspAuth auth)
    {
        await using var camera = await RtspServerFixture.StartNewAsync(auth);
        await using var host = await ServeHost.StartAsync(segmentSeconds: 1);
        const string wrong = "wr0ng-Pa55";

        var created = await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = camera.Url(password: wrong) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var status = await Eventually.HoldsAsync(() => host.Http.GetFromJsonAsync<JsonElement>("/api/streams/cam"),
            s => s.GetProperty("state").GetString() is "failed" or "ended", "the stream to fail", seconds: 60);
        var json = status.GetRawText();
        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.Contains("401 Unauthorized", status.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, json, StringComparison.Ordinal);
        Assert.Equal(0, status.GetProperty("segments").GetInt64());
        var index = M3u8Parser.Parse(await host.Http.GetStringAsync("/streams/cam/index.m3u8"), requireProgramDateTime: false);
        Assert.True(index.EndList);
    }
}

/// <summary>
/// Cameras that drop, never return, or stall, through the Ingest module of the real <c>serve</c> host (real time: the
/// host's capture clock is the system's; the capture-level tests run the same rules on a fake clock).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class CameraOutageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_camera_back_after_10_s_continues_the_playlist_with_one_discontinuity_and_no_lost_or_repeated_segment()
    {
        await using var camera = await RtspServerFixture.StartNewAsync();
        await using var host = await ServeHost.StartAsync(segmentSeconds: 1);
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = camera.Url() })).StatusCode);
        var playlists = new PlaylistWatch(host.Http, "/streams/cam/index.m3u8");
        var before = await playlists.UntilAsync(p => p.Segments.Count >= 3, "three segments before the drop");

        await camera.StopAsync();
        var reconnecting = await Eventually.HoldsAsync(() => host.Http.GetFromJsonAsync<JsonElement>("/api/streams/cam"),
            s => s.GetProperty("error").GetString()?.StartsWith("reconnecting: ", StringComparison.Ordinal) == true, "the stream to say it reconnects", seconds: 60);
        Assert.Equal("running", reconnecting.GetProperty("state").GetString());
        var down = System.Diagnostics.Stopwatch.StartNew();
        // The outage itself: the camera stays away for 10 s of real time (the playlist is checked all along).
        await playlists.UntilAsync(_ => down.Elapsed >= TimeSpan.FromSeconds(10), "10 s of outage");
        await camera.StartAsync();
        var back = System.Diagnostics.Stopwatch.StartNew();
        var lastBefore = playlists.Latest.Segments.Count;
        var after = await playlists.UntilAsync(p => p.Segments.Count >= lastBefore + 1, "a segment after the camera returned");
        var reconnectSeconds = back.Elapsed.TotalSeconds;
        after = await playlists.UntilAsync(p => p.Segments.Count >= lastBefore + 3, "three segments after the camera returned");
        output.WriteLine($"first segment listed {reconnectSeconds:0.0} s after the camera returned ({before.Segments.Count} before the drop)");

        var segments = after.Segments;
        Assert.Equal(Enumerable.Range(0, segments.Count).Select(i => (long)i), segments.Select(s => s.MediaSequenceNumber));
        Assert.Equal(segments.Count, segments.Select(s => s.Uri).Distinct().Count());
        var gaps = segments.Where(s => s.Discontinuity).ToList();
        Assert.Single(gaps);
        Assert.Equal(lastBefore, gaps[0].MediaSequenceNumber);
        Assert.Equal(1, segments[^1].DiscontinuitySequenceNumber);
        var status = await host.Http.GetFromJsonAsync<JsonElement>("/api/streams/cam");
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_camera_that_never_returns_fails_after_the_give_up_time_and_frees_its_slot()
    {
        await using var camera = await RtspServerFixture.StartNewAsync();
        var giveUp = TimeSpan.FromSeconds(8);
        await using var host = await ServeHost.StartAsync(segmentSeconds: 1, configureIngest: o => o with { MaxStreams = 1, CameraGiveUpAfter = giveUp });
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = camera.Url() })).StatusCode);
        await Eventually.HoldsAsync(() => host.Http.GetFromJsonAsync<JsonElement>("/api/streams/cam"), s => s.GetProperty("segments").GetInt64() >= 2, "two segments");

        await camera.StopAsync();
        var down = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Conflict, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "other", source = "testsrc" })).StatusCode);
        var failed = await Eventually.HoldsAsync(() => host.Http.GetFromJsonAsync<JsonElement>("/api/streams/cam"),
            s => s.GetProperty("state").GetString() != "running", "the stream to give up", seconds: 90);
        var after = down.Elapsed;
        output.WriteLine($"gave up {after.TotalSeconds:0.0} s after the camera went away (limit {giveUp.TotalSeconds} s): {failed.GetProperty("error").GetString()}");

        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.StartsWith($"Gave up on {camera.Url()}: no video for", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(after >= giveUp - TimeSpan.FromSeconds(1), $"gave up after {after.TotalSeconds:0.0} s");
        await Eventually.HoldsAsync(async () => M3u8Parser.Parse(await host.Http.GetStringAsync("/streams/cam/index.m3u8")), p => p.EndList,
            "ENDLIST on the given-up stream's playlist");
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "other", source = "testsrc" })).StatusCode);
    }

    [Fact]
    public async Task A_source_that_trickles_bytes_fails_at_the_stall_deadline_and_frees_its_slot()
    {
        await using var trickle = new TricklingTcpServer(TimeSpan.FromMilliseconds(200));
        await using var host = await ServeHost.StartAsync(segmentSeconds: 1, configureIngest: o => o with { MaxStreams = 1, CameraStallTimeout = TimeSpan.FromSeconds(3) });
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = $"rtsp://127.0.0.1:{trickle.Port}/live" })).StatusCode);

        var failed = await Eventually.HoldsAsync(() => host.Http.GetFromJsonAsync<JsonElement>("/api/streams/cam"),
            s => s.GetProperty("state").GetString() is "failed" or "ended", "the stalled stream to fail", seconds: 60);
        output.WriteLine($"failed {started.Elapsed.TotalSeconds:0.0} s after start: {failed.GetProperty("error").GetString()}");

        Assert.True(trickle.Connections >= 1);
        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Contains("stalled: no chunk for 3 s", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "next", source = "testsrc" })).StatusCode);
    }

    /// <summary>Polls a playlist and checks that every distinct version is a lawful reload of the one before.</summary>
    private sealed class PlaylistWatch(HttpClient http, string path)
    {
        public M3u8Playlist Latest { get; private set; } = new();

        public Task<M3u8Playlist> UntilAsync(Func<M3u8Playlist, bool> condition, string what) =>
            Eventually.HoldsAsync(async () =>
            {
                var response = await http.GetAsync(path);
                if (!response.IsSuccessStatusCode) return Latest;
                var next = M3u8Parser.Parse(await response.Content.ReadAsStringAsync());
                if (Latest.Segments.Count > 0) M3u8Parser.CheckReload(Latest, next);
                Latest = next;
                return next;
            }, condition, what);
    }
}
