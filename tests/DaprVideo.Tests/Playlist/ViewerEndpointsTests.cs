using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using DaprVideo.Tests.Embedded;

namespace DaprVideo.Tests.Playlist;

/// <summary><c>MapViewer</c> over real HTTP: content types, cache validators, versioned asset URLs, nothing from elsewhere.</summary>
public sealed partial class ViewerEndpointsTests : IAsyncLifetime
{
    private ServeHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await ServeHost.StartAsync();
        _http = _host.Http;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Page_is_html_revalidated_with_an_etag_and_a_same_origin_policy()
    {
        using var response = await _http.GetAsync(new Uri("/?stream=anything", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.NotNull(response.Headers.ETag);
        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());

        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html);
        Assert.Equal(["/viewer/hls.min.js", "/viewer/viewer.css", "/viewer/viewer.js"],
            AssetUrl().Matches(html).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Page_answers_304_to_its_own_etag()
    {
        using var first = await _http.GetAsync(new Uri("/", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var again = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("viewer.js", "text/javascript; charset=utf-8")]
    [InlineData("viewer.css", "text/css; charset=utf-8")]
    [InlineData("hls.min.js", "text/javascript; charset=utf-8")]
    public async Task Versioned_assets_are_cached_for_good_and_unversioned_ones_revalidated(string file, string contentType)
    {
        var html = await _http.GetStringAsync(new Uri("/", UriKind.Relative));
        var versioned = AssetUrl().Matches(html).Single(m => m.Groups[1].Value == $"/viewer/{file}").Value.Trim('"');

        using var cached = await _http.GetAsync(new Uri(versioned, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(contentType, cached.Content.Headers.ContentType?.ToString());
        Assert.Equal("public, max-age=31536000, immutable", cached.Headers.CacheControl?.ToString());
        Assert.NotEmpty(await cached.Content.ReadAsByteArrayAsync());

        using var plain = await _http.GetAsync(new Uri($"/viewer/{file}", UriKind.Relative));
        Assert.True(plain.Headers.CacheControl?.NoCache);
        Assert.Equal(cached.Headers.ETag, plain.Headers.ETag);
    }

    [Fact]
    public async Task Hls_js_licence_and_notice_are_served_as_text()
    {
        using var licence = await _http.GetAsync(new Uri("/viewer/LICENSE.hls.js", UriKind.Relative));
        Assert.Equal("text/plain; charset=utf-8", licence.Content.Headers.ContentType?.ToString());
        Assert.Contains("Apache License", await licence.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var notice = await _http.GetStringAsync(new Uri("/viewer/NOTICE", UriKind.Relative));
        Assert.Matches(@"^hls\.js 1\.\d+\.\d+ \(npm package hls\.js, licence Apache-2\.0\)", notice);
    }

    [Theory]
    [InlineData("/viewer/nope.js")]
    [InlineData("/viewer/VIEWER.JS")]
    [InlineData("/viewer/..%2Fviewer.js")]
    [InlineData("/viewer/index.html")]
    [InlineData("/viewer/")]
    public async Task Anything_else_under_viewer_is_not_found(string path)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Head_gives_the_headers_without_a_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/viewer/viewer.css");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("text/css") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Viewer_script_never_builds_html_from_strings()
    {
        // API strings reach the page only through textContent and attributes.
        var script = await _http.GetStringAsync(new Uri("/viewer/viewer.js", UriKind.Relative));
        foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function" })
            Assert.DoesNotContain(sink, script, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"""(/viewer/[^""?]+)\?v=[0-9a-f]{16}""")]
    private static partial Regex AssetUrl();
}
