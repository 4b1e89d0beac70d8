using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Streams;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// <c>DELETE /api/streams/{id}?purge=true</c> and the <c>"retention"</c> object of <c>POST /api/streams</c> on the real
/// serve host (ffmpeg's test pattern, files in a temp data folder).
/// </summary>
[Trait("Speed", "Slow")]
public class StreamPurgeTests
{
    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("detail").GetString() ?? "";
    }

    private static async Task<string> StateAsync(ServeHost host, string id)
    {
        using var json = JsonDocument.Parse(await host.Http.GetStringAsync($"/api/streams/{id}"));
        return json.RootElement.GetProperty("state").GetString()!;
    }

    [Fact]
    public async Task A_running_stream_is_refused_then_stopped_purged_and_its_id_used_again()
    {
        await using var host = await ServeHost.StartAsync();
        var body = new { id = "cam", source = "testsrc:size=160x120", retention = new { maxAge = "7d", maxBytes = "20G" } };
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", body)).StatusCode);
        var descriptor = StreamDescriptor.Parse(await File.ReadAllBytesAsync(Path.Combine(host.Data, "cam", "stream.json")));
        Assert.Equal(new StreamRetention(7 * 86400, 20L << 30), descriptor.Retention);

        // Wait for a segment so there is data to purge.
        await Eventually.HoldsAsync(() => Task.FromResult(Directory.Exists(Path.Combine(host.Data, "cam", "segments"))
            && Directory.EnumerateFiles(Path.Combine(host.Data, "cam", "segments"), "*.json").Any()), ok => ok, "a first segment");
        var running = await host.Http.DeleteAsync("/api/streams/cam?purge=true");
        Assert.Equal(HttpStatusCode.Conflict, running.StatusCode);
        Assert.Contains("stop it first", await DetailAsync(running), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync("/api/streams/cam")).StatusCode);
        Assert.Equal("ended", await StateAsync(host, "cam"));
        // Without purge, the id stays taken.
        Assert.Equal(HttpStatusCode.Conflict, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = "testsrc" })).StatusCode);
        // The playlist has taken the stream's end (so nothing of it is written after the purge).
        await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(Path.Combine(host.Data, "cam", "ended.json"))), ok => ok, "the end marker");

        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync("/api/streams/cam?purge=true")).StatusCode);
        // Playlist forgets the stream when StreamPurged reaches it, and deletes again what it wrote meanwhile (here a late
        // segment's detections.jsonl, seen under load): gone once that event is handled, not necessarily at the 204.
        await Eventually.HoldsAsync(() => Task.FromResult(Directory.Exists(Path.Combine(host.Data, "cam"))
            ? string.Join(", ", Directory.EnumerateFiles(Path.Combine(host.Data, "cam"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(host.Data, f)))
            : ""), left => left.Length == 0, "every file of the purged stream to be gone", 30);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/api/streams/cam")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.DeleteAsync("/api/streams/cam?purge=true")).StatusCode);
        await Eventually.HoldsAsync(async () => (await host.Http.GetAsync("/streams/cam/index.m3u8")).StatusCode, s => s == HttpStatusCode.NotFound,
            "playlist forgot the stream");

        // The id is free again: a new stream starts from sequence 0 with an EVENT playlist of its own (no retention).
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = "testsrc:size=160x120" })).StatusCode);
        var index = await Eventually.HoldsAsync(async () =>
        {
            var r = await host.Http.GetAsync("/streams/cam/index.m3u8");
            return r.IsSuccessStatusCode ? M3u8Parser.Parse(await r.Content.ReadAsStringAsync()) : null;
        }, p => p is { Segments.Count: > 0 }, "the new stream's first segment");
        Assert.Equal("EVENT", index!.PlaylistType);
        Assert.Equal("segments/000000.ts", index.Segments[0].Uri);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync("/api/streams/cam")).StatusCode);
    }

    [Theory]
    [InlineData("{\"maxAge\":\"7 days\"}", "retention.maxAge")]
    [InlineData("{\"maxAge\":\"0s\"}", "retention.maxAge")]
    [InlineData("{\"maxBytes\":\"1.5G\"}", "retention.maxBytes")]
    [InlineData("{\"maxBytes\":\"20GB\"}", "retention.maxBytes")]
    public async Task A_bad_retention_is_a_400_with_one_line(string retention, string detail)
    {
        await using var host = await ServeHost.StartAsync();
        using var content = new StringContent($"{{\"id\":\"cam\",\"source\":\"testsrc\",\"retention\":{retention}}}", System.Text.Encoding.UTF8, "application/json");
        var response = await host.Http.PostAsync("/api/streams", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await DetailAsync(response);
        Assert.Contains(detail, text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
        Assert.Equal("[]", await host.Http.GetStringAsync("/api/streams"));
    }
}
