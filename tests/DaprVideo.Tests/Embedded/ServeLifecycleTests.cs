using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded.Adapters;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// Stop, crash, restart of the real <c>serve</c> process with real signals: a stop (SIGTERM, Ctrl+C) refuses new work,
/// exits 0 within SHUTDOWN_TIMEOUT, leaves a live stream active (no ENDLIST) and a finished recording ended; a restart on
/// the same data lists every stream again and resumes the live one after a discontinuity; so does a restart after SIGKILL.
/// </summary>
[Trait("Speed", "Slow")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServeLifecycleTests
{
    private const int ShutdownSeconds = 10;

    private static readonly Dictionary<string, string> Env = new() { ["SHUTDOWN_TIMEOUT"] = ShutdownSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Theory]
    [InlineData(Distributed.RunFile.AppProcess.Sigterm, "SIGTERM")]
    [InlineData(Distributed.RunFile.AppProcess.Sigint, "SIGINT")]
    public async Task A_stop_leaves_live_streams_active_ends_finished_ones_and_a_restart_resumes(int signal, string name)
    {
        using var tmp = new TempDirectory();
        var data = tmp.File("data");
        var media = Directory.CreateDirectory(tmp.File("media")).FullName;
        var clip = Path.Combine(media, "clip.mp4");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p", clip);

        long lastBefore;
        await using (var serve = await ServeProcess.StartAsync(data, media, Env))
        {
            Assert.Equal(HttpStatusCode.Created, (await serve.AddAsync(new { id = "live", source = "testsrc:size=160x120:rate=10" })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await serve.AddAsync(new { id = "clip", source = clip })).StatusCode);
            await Eventually.HoldsAsync(() => serve.TextAsync("streams/clip/index.m3u8"), p => p.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal),
                "the recording to end before the stop", 120);
            var live = await Eventually.HoldsAsync(() => serve.TextAsync("streams/live/index.m3u8"),
                p => ServeProcess.Segments(p).Sequences.Count >= 2, "two live segments", 120);
            lastBefore = ServeProcess.Segments(live).Sequences.Max();
            // The API shows the file by its name, never the server's folders.
            Assert.Equal("clip.mp4", (await serve.StatusAsync("clip")).GetProperty("source").GetString());

            var clock = Stopwatch.StartNew();
            serve.Process.Signal(signal);
            // Once the signal is handled ("Application is shutting down...") no new stream is taken: every answer is 503
            // until the port closes.
            await Eventually.HoldsAsync(() => Task.FromResult(serve.Process.Output),
                o => o.Contains("Application is shutting down", StringComparison.Ordinal) || serve.Process.HasExited, "the stop to begin", 30);
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < 200 && !serve.Process.HasExited; i++)
            {
                try
                {
                    using var post = await serve.AddAsync(new { id = $"late{i}", source = "testsrc:size=160x120" });
                    answers.Add(post.StatusCode);
                }
                catch (HttpRequestException)
                {
                    break; // Kestrel has stopped listening
                }
            }
            var exit = await serve.Process.WaitForExitAsync(TimeSpan.FromSeconds(ShutdownSeconds + 10));
            clock.Stop();
            Assert.True(exit == 0, $"{name}: exit code {exit?.ToString() ?? "none (still running)"} after {clock.Elapsed}; output:\n{serve.Process.Output}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(ShutdownSeconds + 5), $"{name}: stopping took {clock.Elapsed}");
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a));
            Console.WriteLine($"{name}: exit 0 after {clock.Elapsed.TotalSeconds:F2} s ({answers.Count} POSTs answered 503 meanwhile)");
        }

        // What the stop left in the data folder: the live stream active, no ENDLIST; the recording ended with it.
        Assert.Equal(StreamDescriptor.Running, Descriptor(data, "live").State);
        Assert.DoesNotContain("#EXT-X-ENDLIST", File.ReadAllText(Path.Combine(data, "live", "index.m3u8")), StringComparison.Ordinal);
        Assert.Equal(StreamDescriptor.Ended, Descriptor(data, "clip").State);
        Assert.Contains("#EXT-X-ENDLIST", File.ReadAllText(Path.Combine(data, "clip", "index.m3u8")), StringComparison.Ordinal);
        Assert.Equal(clip, Descriptor(data, "clip").Location); // what a restart needs, kept out of the API
        Assert.False(Directory.Exists(Path.Combine(data, "late0")));

        await using (var again = await ServeProcess.StartAsync(data, media, Env))
        {
            var list = JsonDocument.Parse(await again.TextAsync("api/streams")).RootElement;
            Assert.Equal(["clip", "live"], list.EnumerateArray().Select(s => s.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
            Assert.Equal("ended", (await again.StatusAsync("clip")).GetProperty("state").GetString());
            var resumed = await Eventually.HoldsAsync(() => again.TextAsync("streams/live/index.m3u8"),
                p => ServeProcess.Segments(p).AfterDiscontinuity.Count > 0, "the live stream to resume after a discontinuity", 120);
            var first = ServeProcess.Segments(resumed).AfterDiscontinuity[0];
            Assert.True(first > lastBefore, $"resumed at {first}, after {lastBefore}");
            Assert.Equal("running", (await again.StatusAsync("live")).GetProperty("state").GetString());
            // The recording stays playable: its playlist and segments are served as before.
            var clipPlaylist = await again.TextAsync("streams/clip/index.m3u8");
            Assert.Contains("#EXT-X-ENDLIST", clipPlaylist, StringComparison.Ordinal);
            using var segment = await again.Http.GetAsync($"streams/clip/segments/{ServeProcess.Segments(clipPlaylist).Sequences[0]:D6}.ts");
            Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
            // stream.json is a record, not something the HLS routes serve.
            using var record = await again.Http.GetAsync("streams/live/stream.json");
            Assert.Equal(HttpStatusCode.NotFound, record.StatusCode);
            Assert.Equal(0, await again.Process.StopAsync(TimeSpan.FromSeconds(ShutdownSeconds + 10)));
        }
    }

    [Fact]
    public async Task After_SIGKILL_a_restart_resumes_the_live_stream_at_a_higher_sequence_after_a_discontinuity()
    {
        using var tmp = new TempDirectory();
        var data = tmp.File("data");
        var media = Directory.CreateDirectory(tmp.File("media")).FullName;

        long lastBefore;
        await using (var serve = await ServeProcess.StartAsync(data, media, Env))
        {
            Assert.Equal(HttpStatusCode.Created, (await serve.AddAsync(new { id = "cam", source = "testsrc:size=160x120:rate=10" })).StatusCode);
            var playlist = await Eventually.HoldsAsync(() => serve.TextAsync("streams/cam/index.m3u8"),
                p => ServeProcess.Segments(p).Sequences.Count >= 3, "three segments before the crash", 120);
            lastBefore = ServeProcess.Segments(playlist).Sequences.Max();
            await serve.Process.CrashAsync();
        }
        // Nothing ran at the kill: the record still says running.
        Assert.Equal(StreamDescriptor.Running, Descriptor(data, "cam").State);

        await using var again = await ServeProcess.StartAsync(data, media, Env);
        var listed = JsonDocument.Parse(await again.TextAsync("api/streams")).RootElement;
        Assert.Equal("cam", Assert.Single(listed.EnumerateArray()).GetProperty("id").GetString());
        var resumed = await Eventually.HoldsAsync(() => again.TextAsync("streams/cam/index.m3u8"),
            p => ServeProcess.Segments(p).AfterDiscontinuity.Count > 0, "the stream to resume after a discontinuity", 120);
        var (sequences, after) = ServeProcess.Segments(resumed);
        Assert.True(after[0] > lastBefore, $"resumed at {after[0]}, after {lastBefore}");
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal("running", (await again.StatusAsync("cam")).GetProperty("state").GetString());
        // And it can be stopped like any stream: DELETE ends it, its playlist gets ENDLIST.
        Assert.Equal(HttpStatusCode.NoContent, (await again.Http.DeleteAsync("api/streams/cam")).StatusCode);
        await Eventually.HoldsAsync(() => again.TextAsync("streams/cam/index.m3u8"), p => p.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal), "ENDLIST after DELETE", 60);
    }

    [Fact]
    public async Task Inline_credentials_are_kept_in_a_0600_file_outside_the_records_and_a_restart_resumes_with_them()
    {
        using var tmp = new TempDirectory();
        var data = tmp.File("data");
        var media = Directory.CreateDirectory(tmp.File("media")).FullName;
        var ts = tmp.File("camera.ts");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", "testsrc=duration=120:size=160x120:rate=10", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10",
            "-pix_fmt", "yuv420p", "-f", "mpegts", ts);
        const string user = "viewer", password = "pw-Zq81!x";
        await using var camera = new AuthenticatedStreamServer(File.ReadAllBytes(ts), 120, user, password, speed: 2);
        var source = camera.Url("/live.ts?token=tok-77a1");

        await using (var serve = await ServeProcess.StartAsync(data, media, Env))
        {
            using var created = await serve.AddAsync(new { id = "cam", source, credentials = new { username = user, password } });
            var body = await created.Content.ReadAsStringAsync();
            Assert.True(created.StatusCode == HttpStatusCode.Created, body);
            await Eventually.HoldsAsync(async () => (await serve.StatusAsync("cam")).GetProperty("segments").GetInt64(), n => n >= 2,
                "two chunks of the camera", 120);
            var status = await serve.StatusAsync("cam");
            Assert.Equal(camera.Url("/live.ts?token=***"), status.GetProperty("source").GetString());
            Assert.True(status.GetProperty("credentials").GetProperty("survivesRestart").GetBoolean());
            Assert.DoesNotContain(password, body, StringComparison.Ordinal);
            Assert.Equal(0, await serve.Process.StopAsync(TimeSpan.FromSeconds(ShutdownSeconds + 10)));
            Assert.DoesNotContain(password, serve.Process.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("tok-77a1", serve.Process.Output, StringComparison.Ordinal);
        }
        Assert.True(camera.Requests.Any(r => r.Accepted), "the camera was read with the credentials");

        // The record holds no secret; the credentials file does, readable by the service only.
        var record = File.ReadAllText(Path.Combine(data, "cam", "stream.json"));
        foreach (var secret in new[] { password, user, "tok-77a1" }) Assert.DoesNotContain(secret, record, StringComparison.Ordinal);
        var file = FileCredentialStore.PathIn(data);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains("tok-77a1", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Equal(StreamDescriptor.Running, Descriptor(data, "cam").State);

        var restarted = DateTimeOffset.UtcNow;
        await using (var again = await ServeProcess.StartAsync(data, media, Env))
        {
            await Eventually.HoldsAsync(() => Task.FromResult(camera.Requests.Count(r => r.Accepted && r.At > restarted)), n => n > 0,
                "the resumed capture to read the camera with its credentials", 60);
            var resumed = await Eventually.HoldsAsync(() => again.TextAsync("streams/cam/index.m3u8"),
                p => ServeProcess.Segments(p).AfterDiscontinuity.Count > 0, "segments after the restart", 120);
            Assert.Equal("running", (await again.StatusAsync("cam")).GetProperty("state").GetString());
            // Deleting the stream forgets its credentials.
            Assert.Equal(HttpStatusCode.NoContent, (await again.Http.DeleteAsync("api/streams/cam")).StatusCode);
            Assert.DoesNotContain("tok-77a1", File.ReadAllText(file), StringComparison.Ordinal);
            Assert.DoesNotContain(password, again.Process.Output, StringComparison.Ordinal);
            _ = resumed;
        }
    }

    private static StreamDescriptor Descriptor(string data, string id) => StreamDescriptor.Parse(File.ReadAllBytes(Path.Combine(data, id, "stream.json")));
}
