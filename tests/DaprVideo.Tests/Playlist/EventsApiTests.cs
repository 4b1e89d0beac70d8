using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Playlist;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static DaprVideo.Tests.TestSupport.StoredEvents;

namespace DaprVideo.Tests.Playlist;

/// <summary>
/// The events API on a Playlist host over a file store holding event records and JPEGs as Inference writes them; the
/// host learns them from the store (rebuild and per-request catch-up), as a replica handed none of the messages does.
/// </summary>
public sealed class EventsApiTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _tmp = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private FileObjectStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new FileObjectStore(_tmp.Path);
        await _store.PutAsync(ObjectKeys.SegmentRecord(StreamId.Parse("cam"), 0),
            new SegmentRecord("cam", 0, T0, 1, false, true, []).ToJsonBytes());
        await StoreAsync(_store, Make("cam", 1, "person", startSeconds: 0, endSeconds: 10, score: 0.9f, zones: ["door"]));
        await StoreAsync(_store, Make("cam", 2, "car", startSeconds: 20, endSeconds: 30, score: 0.6f, zones: ["drive"]));
        await StoreAsync(_store, Make("cam", 3, "person", startSeconds: 40, endSeconds: null, score: 0.5f));
        await StoreAsync(_store, Make("yard", 1, "dog", startSeconds: 15, endSeconds: 16, score: 0.7f));

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IObjectStore>(_store);
        builder.Services.AddPlaylist(new PlaylistSettings(new PlaylistBuilderOptions { Playlist = new PlaylistOptions { SegmentSeconds = 1 } },
            FreshnessInterval: TimeSpan.Zero));
        _app = builder.Build();
        _app.MapPlaylist();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        // The rebuild runs once the host has started.
        await Eventually.HoldsAsync(() => _http.GetAsync("/health/ready"), r => r.IsSuccessStatusCode || r.StatusCode == HttpStatusCode.NotFound, "rebuilt", 30);
        await Eventually.HoldsAsync(() => Task.FromResult(_app.Services.GetRequiredService<PlaylistBuilder>().Events.Index.Knows(StreamId.Parse("yard"))),
            known => known, "events rebuilt from the store", 30);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public void Dispose()
    {
        _http?.Dispose();
        _tmp.Dispose();
    }

    private async Task<string[]> IdsAsync(string url)
    {
        var json = await _http.GetFromJsonAsync<JsonElement>(url);
        var list = json.ValueKind == JsonValueKind.Array ? json : json.GetProperty("events");
        return [.. list.EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
    }

    [Fact]
    public async Task A_streams_events_are_newest_first_with_their_fields_and_image_urls_and_every_filter_works()
    {
        var all = await _http.GetFromJsonAsync<JsonElement>("/api/streams/cam/events");
        Assert.Equal(["cam.3", "cam.2", "cam.1"], all.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        var live = all[0];
        Assert.Equal(JsonValueKind.Null, live.GetProperty("end").ValueKind);
        Assert.Equal(40, live.GetProperty("startSeconds").GetDouble());
        Assert.Equal("/api/events/cam.3/crop.jpg", live.GetProperty("cropUrl").GetString());
        Assert.Equal("/api/events/cam.3/snapshot.jpg", live.GetProperty("snapshotUrl").GetString());
        var first = all[2];
        Assert.Equal("person", first.GetProperty("label").GetString());
        Assert.Equal(["door"], first.GetProperty("zones").EnumerateArray().Select(z => z.GetString()));
        Assert.Equal(T0.AddSeconds(10), first.GetProperty("end").GetDateTimeOffset());
        Assert.Equal(0.9, first.GetProperty("maxScore").GetDouble(), 3);
        Assert.Equal(0.25, first.GetProperty("bestBox").GetProperty("x").GetDouble(), 3);

        Assert.Equal(["cam.3", "cam.1"], await IdsAsync("/api/streams/cam/events?label=Person"));
        Assert.Equal(["cam.2"], await IdsAsync("/api/streams/cam/events?zone=drive"));
        Assert.Equal(["cam.2", "cam.1"], await IdsAsync("/api/streams/cam/events?from=2026-01-01T08:00:05Z&to=2026-01-01T08:00:25Z"));
        Assert.Equal(["cam.3"], await IdsAsync("/api/streams/cam/events?from=2026-01-01T09:00:35%2B01:00"));
        Assert.Equal(["cam.2", "cam.1"], await IdsAsync("/api/streams/cam/events?minScore=0.6"));
        Assert.Equal(["cam.1"], await IdsAsync("/api/streams/cam/events?label=person&zone=door&minScore=0.8&to=2026-01-01T08:00:00Z"));
        Assert.Empty(await IdsAsync("/api/streams/cam/events?label=giraffe"));
    }

    [Fact]
    public async Task All_streams_are_paged_newest_first_by_an_opaque_cursor()
    {
        Assert.Equal(["cam.3", "cam.2", "yard.1", "cam.1"], await IdsAsync("/api/events"));
        Assert.Equal(["yard.1"], await IdsAsync("/api/events?label=dog"));
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _http.GetFromJsonAsync<JsonElement>("/api/events?limit=3&minScore=0" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);
        Assert.Equal(["cam.3", "cam.2", "yard.1", "cam.1"], seen);
        var last = await _http.GetFromJsonAsync<JsonElement>("/api/events?limit=500");
        Assert.Equal(JsonValueKind.Null, last.GetProperty("next").ValueKind);
    }

    [Theory]
    [InlineData("/api/events?from=yesterday", "'from'")]
    [InlineData("/api/events?from=1/2/2026", "'from'")]
    [InlineData("/api/events?to=2026-13-01T00:00:00Z", "'to'")]
    [InlineData("/api/events?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "'from' is after 'to'")]
    [InlineData("/api/events?minScore=1.5", "'minScore'")]
    [InlineData("/api/events?minScore=-0.1", "'minScore'")]
    [InlineData("/api/events?minScore=NaN", "'minScore'")]
    [InlineData("/api/events?limit=0", "'limit'")]
    [InlineData("/api/events?limit=501", "'limit'")]
    [InlineData("/api/events?limit=ten", "'limit'")]
    [InlineData("/api/events?cursor=bm90LWEtY3Vyc29y", "'cursor'")]
    [InlineData("/api/streams/cam/events?minScore=2", "'minScore'")]
    [InlineData("/api/streams/Bad!/events", "Invalid stream id")]
    [InlineData("/api/events/cam/snapshot.jpg", "Invalid event id")]
    [InlineData("/api/events/cam.0/crop.jpg", "Invalid event id")]
    [InlineData("/api/events/..%2Fcam.1/crop.jpg", "Invalid event id")]
    public async Task Bad_input_is_a_400_problem_naming_it(string url, string named)
    {
        using var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains(named, detail, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', detail);
    }

    [Theory]
    [InlineData("/api/streams/nocam/events")]
    [InlineData("/api/events/cam.77/snapshot.jpg")]
    [InlineData("/api/events/nocam.1/crop.jpg")]
    public async Task Unknown_streams_and_images_are_404(string url)
    {
        using var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task JPEGs_come_from_the_store_with_ETags_conditional_GET_and_HEAD_and_are_immutable_only_once_ended()
    {
        using var ended = await _http.GetAsync("/api/events/cam.1/snapshot.jpg");
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal("image/jpeg", ended.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await _store.GetAsync(ObjectKeys.EventSnapshot(StreamId.Parse("cam"), 1)), await ended.Content.ReadAsByteArrayAsync());
        Assert.True(ended.Headers.CacheControl?.Extensions.Any(e => e.Name == "immutable"));
        var tag = ended.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/events/cam.1/snapshot.jpg");
        again.Headers.IfNoneMatch.Add(tag);
        using var notModified = await _http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var crop = await _http.GetAsync("/api/events/cam.1/crop.jpg");
        Assert.NotEqual(tag, crop.Headers.ETag);
        Assert.Equal(await _store.GetAsync(ObjectKeys.EventCrop(StreamId.Parse("cam"), 1)), await crop.Content.ReadAsByteArrayAsync());

        using var inProgress = await _http.GetAsync("/api/events/cam.3/crop.jpg");
        Assert.Equal(HttpStatusCode.OK, inProgress.StatusCode);
        Assert.True(inProgress.Headers.CacheControl?.NoCache);
        // A better frame replaces the JPEG while the event goes on: the old tag no longer matches.
        await _store.PutAsync(ObjectKeys.EventCrop(StreamId.Parse("cam"), 3), new byte[] { 0xFF, 0xD8, 0x42, 0xFF, 0xD9 });
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/api/events/cam.3/crop.jpg");
        revalidate.Headers.IfNoneMatch.Add(inProgress.Headers.ETag!);
        using var changed = await _http.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal([0xFF, 0xD8, 0x42, 0xFF, 0xD9], await changed.Content.ReadAsByteArrayAsync());

        using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/events/cam.1/snapshot.jpg"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(ended.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        using var headList = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/streams/cam/events?label=person"));
        Assert.Equal(HttpStatusCode.OK, headList.StatusCode);
        Assert.True(headList.Content.Headers.ContentLength > 0);
    }

    [Fact]
    public async Task A_new_or_ended_record_shows_at_the_next_request_of_a_replica_that_got_no_message()
    {
        await StoreAsync(_store, Make("cam", 3, "person", startSeconds: 40, endSeconds: 44, score: 0.5f));
        await StoreAsync(_store, Make("cam", 4, "cat", startSeconds: 50, endSeconds: null));
        var events = await _http.GetFromJsonAsync<JsonElement>("/api/streams/cam/events");
        Assert.Equal("cam.4", events[0].GetProperty("id").GetString());
        Assert.Equal(44, events[1].GetProperty("endSeconds").GetDouble());
    }
}
