using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DaprVideo.Core.Streams;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// HLS over HTTP as players and CDNs use it, on the real serve host: HEAD everywhere GET is, byte ranges and
/// validators on segments, ETags on playlists, and routes that refuse look-alike names cleanly.
/// </summary>
public sealed class HlsHttpTests : IAsyncLifetime
{
    private const string Stream = "cam";
    private ServeHost _host = null!;
    private byte[] _segment = null!;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync()
    {
        _host = await ServeHost.StartAsync();
        _segment = await HlsSeed.SegmentAsync(_host, Stream, 0);
        for (var seq = 1; seq < 6; seq++) await HlsSeed.SegmentAsync(_host, Stream, seq);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Action<HttpRequestHeaders>? headers = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        headers?.Invoke(request.Headers);
        return await Http.SendAsync(request);
    }

    [Theory]
    [InlineData("/streams/cam/live.m3u8")]
    [InlineData("/streams/cam/index.m3u8")]
    [InlineData("/streams/cam/segments/000000.ts")]
    [InlineData("/api/streams")]
    [InlineData("/api/streams/cam")]
    [InlineData("/api/streams/cam/detections")]
    [InlineData("/api/streams/cam/timeline")]
    [InlineData("/api/streams/cam/labels")]
    [InlineData("/")]
    [InlineData("/viewer/viewer.js")]
    public async Task Head_answers_every_get_route_with_the_same_headers_and_no_body(string path)
    {
        using var get = await SendAsync(HttpMethod.Get, path);
        using var head = await SendAsync(HttpMethod.Head, path);

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Segments_answer_byte_ranges_206_and_416()
    {
        using var whole = await SendAsync(HttpMethod.Get, "/streams/cam/segments/000000.ts");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Contains("bytes", whole.Headers.AcceptRanges);
        Assert.Equal(_segment, await whole.Content.ReadAsByteArrayAsync());

        using var part = await SendAsync(HttpMethod.Get, "/streams/cam/segments/000000.ts", h => h.Range = new RangeHeaderValue(188, 375));
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(188, 375, _segment.Length), part.Content.Headers.ContentRange);
        Assert.Equal(_segment[188..376], await part.Content.ReadAsByteArrayAsync());

        using var tail = await SendAsync(HttpMethod.Get, "/streams/cam/segments/000000.ts", h => h.Range = new RangeHeaderValue(null, 10));
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(_segment[^10..], await tail.Content.ReadAsByteArrayAsync());

        using var beyond = await SendAsync(HttpMethod.Get, "/streams/cam/segments/000000.ts", h => h.Range = new RangeHeaderValue(_segment.Length, null));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal($"bytes */{_segment.Length}", beyond.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task Segments_carry_strong_validators_and_answer_conditional_requests_with_304()
    {
        using var first = await SendAsync(HttpMethod.Get, "/streams/cam/segments/000000.ts");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        // The segment's last frame: its program date-time plus its second.
        Assert.Equal(HlsSeed.T0.AddSeconds(1), first.Content.Headers.LastModified);
        Assert.Equal("public, max-age=31536000, immutable", first.Headers.CacheControl?.ToString());

        using var other = await SendAsync(HttpMethod.Get, "/streams/cam/segments/000001.ts");
        Assert.NotEqual(etag, other.Headers.ETag); // from the content, not the route

        using var byTag = await SendAsync(HttpMethod.Get, "/streams/cam/segments/000000.ts", h => h.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, byTag.StatusCode);
        Assert.Empty(await byTag.Content.ReadAsByteArrayAsync());

        using var byDate = await SendAsync(HttpMethod.Get, "/streams/cam/segments/000000.ts", h => h.IfModifiedSince = first.Content.Headers.LastModified);
        Assert.Equal(HttpStatusCode.NotModified, byDate.StatusCode);

        using var stale = await SendAsync(HttpMethod.Get, "/streams/cam/segments/000000.ts", h => h.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\"")));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
    }

    [Theory]
    [InlineData("live.m3u8")]
    [InlineData("index.m3u8")]
    public async Task Playlists_carry_an_etag_of_their_bytes_and_answer_304_until_they_change(string playlist)
    {
        using var first = await SendAsync(HttpMethod.Get, $"/streams/cam/{playlist}");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.True(first.Headers.CacheControl?.NoCache);

        using var same = await SendAsync(HttpMethod.Get, $"/streams/cam/{playlist}", h => h.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        Assert.Equal(etag, same.Headers.ETag);

        await HlsSeed.SegmentAsync(_host, Stream, 6);
        using var changed = await SendAsync(HttpMethod.Get, $"/streams/cam/{playlist}", h => h.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Contains("segments/000006.ts", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LIVE.m3u8")]
    [InlineData("Live.M3U8")]
    public async Task Live_playlist_in_any_letter_case_is_the_live_view(string name)
    {
        var live = await Http.GetStringAsync(new Uri("/streams/cam/live.m3u8", UriKind.Relative));
        Assert.DoesNotContain("#EXT-X-PLAYLIST-TYPE", live, StringComparison.Ordinal); // the live view, not EVENT
        Assert.Equal(live, await Http.GetStringAsync(new Uri($"/streams/cam/{name}", UriKind.Relative)));
    }

    [Theory]
    [InlineData("/streams/cam/segments/%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90.ts")] // six full-width zeros
    [InlineData("/streams/cam/segments/%D9%A0%D9%A0%D9%A0%D9%A0%D9%A0%D9%A0.ts")] // six Arabic-Indic zeros
    [InlineData("/streams/cam/segments/000000.ts%0A")]
    [InlineData("/streams/cam/live.m3u8%0A")]
    public async Task Look_alike_names_are_a_404_problem(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/streams/cam%0A/live.m3u8")]
    [InlineData("/streams/cam%0A/segments/000000.ts")]
    [InlineData("/api/streams/cam%0A")]
    [InlineData("/api/streams/cam%0A/timeline")]
    public async Task A_stream_id_with_a_trailing_newline_is_invalid_over_http(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("Invalid stream id", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stream_id_with_a_trailing_newline_is_invalid()
    {
        // $ would match before the final newline; the id must end where the text ends.
        Assert.False(StreamId.TryParse("cam\n", out _));
        Assert.True(StreamId.TryParse("cam", out _));
    }
}
