using System.Net;
using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// CORS_ALLOWED_ORIGINS on the real serve host: listed origins may read HLS and the read-only APIs (and pass their
/// preflight), others and the control calls get no CORS headers, and unset means same-origin only.
/// </summary>
public sealed class CrossOriginTests
{
    private const string Player = "https://player.example";

    private static async Task<HttpResponseMessage> SendAsync(ServeHost host, HttpMethod method, string path, string? origin,
        string? preflightMethod = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (preflightMethod is not null)
        {
            request.Headers.Add("Access-Control-Request-Method", preflightMethod);
            request.Headers.Add("Access-Control-Request-Headers", "range");
        }
        return await host.Http.SendAsync(request);
    }

    private static string? AllowOrigin(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? string.Join(',', values) : null;

    [Fact]
    public void The_setting_reads_origins_or_a_star_through_the_catalogue()
    {
        static CrossOriginPolicy Read(string? value) =>
            CrossOriginPolicy.Parse(new SettingsReader(n => n == "CORS_ALLOWED_ORIGINS" ? value : null).Text(SettingsCatalogue.CorsAllowedOrigins));

        Assert.False(Read(null).IsOn);
        var listed = Read(" https://player.example:8443/ , http://localhost:8080");
        Assert.Equal("https://player.example:8443", listed.AllowedOrigin("https://player.example:8443"));
        Assert.Equal("http://localhost:8080", listed.AllowedOrigin("http://localhost:8080"));
        Assert.Null(listed.AllowedOrigin("https://player.example"));
        Assert.Null(listed.AllowedOrigin(null));
        Assert.Equal("*", Read("*").AllowedOrigin("https://anyone.example"));
    }

    [Theory]
    [InlineData("/streams/cam/live.m3u8")]
    [InlineData("/streams/cam/index.m3u8")]
    [InlineData("/streams/cam/segments/000000.ts")]
    [InlineData("/api/streams")]
    [InlineData("/api/streams/cam/timeline")]
    [InlineData("/api/streams/cam/detections")]
    public async Task Listed_origins_may_read_hls_and_the_read_only_apis(string path)
    {
        await using var host = await ServeHost.StartAsync(corsOrigins: $"{Player}, http://localhost:8080");
        await HlsSeed.SegmentAsync(host, "cam", 0);

        using var listed = await SendAsync(host, HttpMethod.Get, path, Player);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(Player, AllowOrigin(listed));
        Assert.Contains("Origin", listed.Headers.Vary);
        Assert.False(listed.Headers.Contains("Access-Control-Allow-Credentials"));

        using var other = await SendAsync(host, HttpMethod.Get, path, "https://evil.example");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode); // the server still answers; the browser withholds it
        Assert.Null(AllowOrigin(other));

        using var preflight = await SendAsync(host, HttpMethod.Options, path, Player, preflightMethod: "GET");
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(Player, AllowOrigin(preflight));
        Assert.Contains("GET", string.Join(',', preflight.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        Assert.Contains("Range", string.Join(',', preflight.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);

        using var refused = await SendAsync(host, HttpMethod.Options, path, "https://evil.example", preflightMethod: "GET");
        Assert.Null(AllowOrigin(refused));
    }

    [Fact]
    public async Task Control_calls_never_answer_cross_origin()
    {
        await using var host = await ServeHost.StartAsync(corsOrigins: "*");

        using var preflight = await SendAsync(host, HttpMethod.Options, "/api/streams", Player, preflightMethod: "POST");
        Assert.Null(AllowOrigin(preflight));
        using var deletePreflight = await SendAsync(host, HttpMethod.Options, "/api/streams/cam", Player, preflightMethod: "DELETE");
        Assert.Null(AllowOrigin(deletePreflight));

        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/streams", UriKind.Relative))
        {
            Content = new StringContent("{\"id\":\"x\",\"source\":\"\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        post.Headers.Add("Origin", Player);
        using var answer = await host.Http.SendAsync(post);
        Assert.Null(AllowOrigin(answer));

        using var read = await SendAsync(host, HttpMethod.Get, "/api/streams", Player);
        Assert.Equal("*", AllowOrigin(read));
    }

    [Fact]
    public async Task Unset_means_same_origin_only()
    {
        await using var host = await ServeHost.StartAsync();
        await HlsSeed.SegmentAsync(host, "cam", 0);

        using var get = await SendAsync(host, HttpMethod.Get, "/streams/cam/live.m3u8", Player);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Null(AllowOrigin(get));
        using var preflight = await SendAsync(host, HttpMethod.Options, "/streams/cam/live.m3u8", Player, preflightMethod: "GET");
        Assert.Null(AllowOrigin(preflight));
    }
}
