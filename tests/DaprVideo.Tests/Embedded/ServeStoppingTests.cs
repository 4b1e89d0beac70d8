using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DaprVideo.Tests.Embedded;

/// <summary>The serve host's control API while it stops, and the streams a restart finds in odd states.</summary>
public sealed class ServeStoppingTests
{
    [Fact]
    public async Task While_the_host_stops_new_streams_and_deletes_get_503_with_Retry_After()
    {
        await using var host = await ServeHost.StartAsync();
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = "testsrc:size=160x120" })).StatusCode);
        // What SIGTERM does first (the console lifetime): ApplicationStopping. Kestrel still serves until the drain is over.
        host.App.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var post = await host.Http.PostAsJsonAsync("/api/streams", new { id = "late", source = "testsrc:size=160x120" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(post.Headers.RetryAfter);
        Assert.Contains("stopping", await post.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        using var delete = await host.Http.DeleteAsync("/api/streams/cam");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, delete.StatusCode);
        // Reads still work while stopping.
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/api/streams/cam")).StatusCode);
    }

    [Fact]
    public async Task Stopping_the_host_leaves_a_live_stream_running_in_its_record_without_ENDLIST()
    {
        var host = await ServeHost.StartAsync();
        string data = host.Data;
        try
        {
            Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = "testsrc:size=160x120:rate=10" })).StatusCode);
            await Eventually.HoldsAsync(async () => JsonDocument.Parse(await host.Http.GetStringAsync("/api/streams/cam")).RootElement.GetProperty("segments").GetInt64(),
                n => n >= 2, "two chunks", 120);
            await host.App.StopAsync();
            var record = StreamDescriptor.Parse(File.ReadAllBytes(Path.Combine(data, "cam", "stream.json")));
            Assert.Equal(StreamDescriptor.Running, record.State);
            Assert.True(record.LastSequence >= 1);
            Assert.DoesNotContain("#EXT-X-ENDLIST", File.ReadAllText(Path.Combine(data, "cam", "index.m3u8")), StringComparison.Ordinal);
            Assert.Empty(new ChunkJournal(data).Pending()); // the stop let Inference finish the chunks already stored
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stream_whose_record_says_running_but_cannot_resume_is_failed_with_the_reason_not_left_running()
    {
        var now = DateTimeOffset.UtcNow;
        await using var host = await ServeHost.StartAsync(prepareData: async data =>
        {
            var registry = new StreamRegistry(new FileObjectStore(data, EmbeddedPipeline.StreamsPrefix));
            // Inline credentials a host did not keep (an older or a distributed Ingest wrote it).
            await registry.SaveAsync(new StreamDescriptor("orphan", "rtsp://cam.test/s", StreamDescriptor.Running, null, true, false,
                Resumable: false, LastSequence: 4, 5, now, now, now));
            // Kept credentials whose entry is gone from the credentials file.
            await registry.SaveAsync(new StreamDescriptor("lost", "rtsp://cam.test/s", StreamDescriptor.Running, null, true, false,
                Resumable: true, LastSequence: -1, 0, now, null, now, Credentials: new SourceCredentials(Kept: true)));
            Directory.CreateDirectory(Path.Combine(data, "broken"));
            await File.WriteAllTextAsync(Path.Combine(data, "broken", "stream.json"), "{ not json");
        });

        var orphan = await Eventually.HoldsAsync(() => StatusOrEmptyAsync(host.Http, "/api/streams/orphan"), s => s.Contains("\"state\":\"failed\"", StringComparison.Ordinal),
            "the orphan to be marked failed", 30);
        Assert.Contains("credentials were given inline", orphan, StringComparison.Ordinal);
        // The resumer takes the records one after another: the others may be a moment behind the orphan.
        var lost = await Eventually.HoldsAsync(() => StatusOrEmptyAsync(host.Http, "/api/streams/lost"), s => s.Contains("\"state\":\"failed\"", StringComparison.Ordinal),
            "the stream with lost credentials to be marked failed", 30);
        Assert.Contains("credentials file", lost, StringComparison.Ordinal);
        var broken = await Eventually.HoldsAsync(() => StatusOrEmptyAsync(host.Http, "/api/streams/broken"), s => s.Contains("\"state\":\"failed\"", StringComparison.Ordinal),
            "the unreadable record to be marked failed", 30);
        Assert.Contains("unreadable", broken, StringComparison.Ordinal);
        // Their ends are announced (the playlist stores them), so players stop waiting.
        await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(Path.Combine(host.Data, "orphan", "ended.json")) && File.Exists(Path.Combine(host.Data, "lost", "ended.json"))),
            ended => ended, "the ends of both streams", 30);
        // Its id stays taken (its sequences must not mix with a new stream's); DELETE of a past stream is harmless.
        Assert.Equal(HttpStatusCode.Conflict, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "orphan", source = "testsrc" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync("/api/streams/orphan")).StatusCode);
    }

    [Fact]
    public async Task A_file_stream_shows_its_name_while_its_record_keeps_the_path_to_resume_from()
    {
        await using var host = await ServeHost.StartAsync();
        var clip = Path.Combine(host.Media, "lobby.mp4");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip);
        using var created = await host.Http.PostAsJsonAsync("/api/streams", new { id = "lobby", source = clip });
        var body = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("lobby.mp4", JsonDocument.Parse(body).RootElement.GetProperty("source").GetString());
        Assert.DoesNotContain(host.Media, body, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Media, await host.Http.GetStringAsync("/api/streams"), StringComparison.Ordinal);
        var record = StreamDescriptor.Parse(File.ReadAllBytes(Path.Combine(host.Data, "lobby", "stream.json")));
        Assert.Equal("lobby.mp4", record.Source);
        Assert.Equal(clip, record.Location);
    }

    [Fact]
    public async Task A_secret_reference_is_refused_where_there_is_no_secret_store()
    {
        await using var host = await ServeHost.StartAsync();
        using var response = await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = "rtsp://cam.test/s", credentials = new { secret = "cam" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("username", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A stream's status, or "" while it is not listed yet (404).</summary>
    private static async Task<string> StatusOrEmptyAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return response.StatusCode == HttpStatusCode.NotFound ? "" : await response.Content.ReadAsStringAsync();
    }
}
