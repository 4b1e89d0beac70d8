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
