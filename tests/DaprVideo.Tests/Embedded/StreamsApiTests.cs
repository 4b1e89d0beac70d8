using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DaprVideo.Tests.Embedded;

/// <summary>The stream control API's contract: problem JSON for every refusal, API key, media folders.</summary>
public class StreamsApiTests
{
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(detail, json.RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Bad")]
    [InlineData("a b")]
    [InlineData("a.b")]
    [InlineData("-leading-dash")]
    [InlineData("this-id-is-far-too-long-for-a-stream-because-it-goes-on-and-on-and-on")]
    public async Task Invalid_ids_get_400(string id)
    {
        await using var host = await ServeHost.StartAsync();
        await AssertProblemAsync(await host.Http.GetAsync($"/api/streams/{Uri.EscapeDataString(id)}"), HttpStatusCode.BadRequest, "Invalid stream id");
        await AssertProblemAsync(await host.Http.PostAsJsonAsync("/api/streams", new { id, source = "testsrc" }), HttpStatusCode.BadRequest, "Invalid stream id");
        await AssertProblemAsync(await host.Http.GetAsync($"/streams/{Uri.EscapeDataString(id)}/live.m3u8"), HttpStatusCode.BadRequest, "Invalid stream id");
    }

    [Theory]
    [InlineData("concat:/etc/passwd|/etc/hosts", "not allowed")]
    [InlineData("file:/etc/passwd", "not allowed")]
    [InlineData("data:video/mp4;base64,AAAA", "not allowed")]
    [InlineData("/etc/passwd", "media directories")]
    [InlineData("relative/clip.mp4", "")]
    [InlineData("", "")]
    public async Task Refused_sources_get_400(string source, string detail)
    {
        await using var host = await ServeHost.StartAsync();
        await AssertProblemAsync(await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source }), HttpStatusCode.BadRequest, detail);
        Assert.Equal("[]", await host.Http.GetStringAsync("/api/streams"));
    }

    [Fact]
    public async Task A_symlink_out_of_the_media_folder_is_refused()
    {
        await using var host = await ServeHost.StartAsync();
        File.CreateSymbolicLink(Path.Combine(host.Media, "sneaky.mp4"), "/etc/passwd");
        Directory.CreateSymbolicLink(Path.Combine(host.Media, "etc"), "/etc");

        await AssertProblemAsync(await host.Http.PostAsJsonAsync("/api/streams", new { id = "a", source = Path.Combine(host.Media, "sneaky.mp4") }),
            HttpStatusCode.BadRequest, "media directories");
        await AssertProblemAsync(await host.Http.PostAsJsonAsync("/api/streams", new { id = "b", source = Path.Combine(host.Media, "etc", "hosts") }),
            HttpStatusCode.BadRequest, "media directories");
    }

    [Fact]
    public async Task Missing_streams_are_404_and_taken_ids_409()
    {
        await using var host = await ServeHost.StartAsync();
        await AssertProblemAsync(await host.Http.GetAsync("/api/streams/nope"), HttpStatusCode.NotFound, "No stream");
        await AssertProblemAsync(await host.Http.DeleteAsync("/api/streams/nope"), HttpStatusCode.NotFound, "No stream");
        await AssertProblemAsync(await host.Http.GetAsync("/api/streams/nope/detections"), HttpStatusCode.NotFound, "No stream");

        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = "testsrc:size=160x120" })).StatusCode);
        await AssertProblemAsync(await host.Http.PostAsJsonAsync("/api/streams", new { id = "cam", source = "testsrc" }), HttpStatusCode.Conflict, "already exists");
        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync("/api/streams/cam")).StatusCode);
    }

    [Fact]
    public async Task Control_calls_need_the_api_key_when_one_is_set()
    {
        await using var host = await ServeHost.StartAsync(apiKey: "s3cret");
        var body = new { id = "cam", source = "testsrc:size=160x120" };

        await AssertProblemAsync(await host.Http.PostAsJsonAsync("/api/streams", body), HttpStatusCode.Unauthorized, "X-Api-Key");
        host.Http.DefaultRequestHeaders.Add("X-Api-Key", "wrong");
        await AssertProblemAsync(await host.Http.PostAsJsonAsync("/api/streams", body), HttpStatusCode.Unauthorized, "X-Api-Key");
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/api/streams")).StatusCode); // reads stay open

        host.Http.DefaultRequestHeaders.Remove("X-Api-Key");
        host.Http.DefaultRequestHeaders.Add("X-Api-Key", "s3cret");
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync("/api/streams/cam")).StatusCode);
    }

    [Fact]
    public async Task The_api_key_is_checked_before_the_body_is_read()
    {
        await using var host = await ServeHost.StartAsync(apiKey: "s3cret");

        // Invalid JSON would fail model binding with 400 if binding ran first.
        using var invalid = new StringContent("{\"id\": \"cam\", \"source\": ", System.Text.Encoding.UTF8, "application/json");
        await AssertProblemAsync(await host.Http.PostAsync("/api/streams", invalid), HttpStatusCode.Unauthorized, "X-Api-Key");
        // Nor is a large body read: 8 MB of an unfinished array, never parsed.
        using var large = new ByteArrayContent(Enumerable.Repeat((byte)'[', 8 << 20).ToArray());
        large.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await AssertProblemAsync(await host.Http.PostAsync("/api/streams", large), HttpStatusCode.Unauthorized, "X-Api-Key");

        // With the key, the body's own faults get their own answers.
        host.Http.DefaultRequestHeaders.Add("X-Api-Key", "s3cret");
        using var again = new StringContent("{\"id\": \"cam\", \"source\": ", System.Text.Encoding.UTF8, "application/json");
        await AssertProblemAsync(await host.Http.PostAsync("/api/streams", again), HttpStatusCode.BadRequest, "not valid JSON");
        using var text = new StringContent("{\"id\": \"cam\", \"source\": \"testsrc\"}", System.Text.Encoding.UTF8, "text/plain");
        await AssertProblemAsync(await host.Http.PostAsync("/api/streams", text), HttpStatusCode.UnsupportedMediaType, "JSON body");
        Assert.Equal("[]", await host.Http.GetStringAsync("/api/streams"));
    }
}
