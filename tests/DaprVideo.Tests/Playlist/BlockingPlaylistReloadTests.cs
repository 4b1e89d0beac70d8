using System.Diagnostics;
using System.Net;
using System.Text;
using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Playlist.Apis;
using DaprVideo.Tests.Embedded;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.Playlist;

/// <summary>
/// Blocking Playlist Reload (draft-pantos-hls-rfc8216bis §6.2.5.2) on the real serve host, fed as Inference feeds it
/// (<see cref="HlsSeed"/>, 1 s segments): what is advertised, what is held, and the errors the draft asks for.
/// </summary>
public sealed class BlockingPlaylistReloadTests : IAsyncLifetime
{
    private const string Stream = "cam";
    private ServeHost _host = null!;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync()
    {
        _host = await ServeHost.StartAsync(segmentSeconds: 1);
        await HlsSeed.SegmentAsync(_host, Stream, 0);
        await HlsSeed.SegmentAsync(_host, Stream, 1);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("live.m3u8")]
    [InlineData("index.m3u8")]
    public async Task Served_playlists_advertise_it_and_the_stored_copies_do_not(string name)
    {
        var served = M3u8Parser.Parse(await Http.GetStringAsync($"/streams/{Stream}/{name}"));
        Assert.True(served.CanBlockReload);

        // Whatever else serves the store's copy (a CDN, a static server) would not hold requests.
        var store = _host.App.Services.GetRequiredService<IObjectStore>();
        var stored = await store.GetAsync(ObjectKeys.Playlist(StreamId.Parse(Stream), name));
        Assert.NotNull(stored);
        Assert.False(M3u8Parser.Parse(Encoding.UTF8.GetString(stored)).CanBlockReload);
    }

    [Fact]
    public async Task A_segment_already_listed_is_answered_at_once_with_the_whole_playlist()
    {
        using var response = await Http.GetAsync($"/streams/{Stream}/live.m3u8?_HLS_msn=0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var playlist = M3u8Parser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["segments/000000.ts", "segments/000001.ts"], playlist.Segments.Select(s => s.Uri));
    }

    [Fact]
    public async Task The_next_segment_is_held_for_and_sent_once_listed()
    {
        var held = Http.GetAsync($"/streams/{Stream}/live.m3u8?_HLS_msn=2");
        await HlsSeed.SegmentAsync(_host, Stream, 2);

        using var response = await held;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var playlist = M3u8Parser.Parse(await response.Content.ReadAsStringAsync());
        // Asked before segment 2 existed, answered with it: the server waited for it.
        Assert.Equal(2, playlist.Segments[^1].MediaSequenceNumber);
    }

    [Fact]
    public async Task A_segment_that_does_not_come_is_a_503_after_three_target_durations()
    {
        var clock = Stopwatch.StartNew();
        using var response = await Http.GetAsync($"/streams/{Stream}/live.m3u8?_HLS_msn=2");
        clock.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("three target durations", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Target duration 1 s: the request was held the three seconds (a busy machine only makes it longer).
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.9), $"answered after {clock.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public async Task An_ended_playlist_ignores_the_directive()
    {
        var playlists = _host.App.Services.GetRequiredService<PlaylistBuilder>();
        await playlists.OnStreamEndedAsync(new StreamEnded(Stream, 1));

        using var response = await Http.GetAsync($"/streams/{Stream}/live.m3u8?_HLS_msn=3");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var playlist = M3u8Parser.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(playlist.EndList);
        Assert.False(playlist.CanBlockReload);
    }

    [Theory]
    [InlineData("_HLS_msn=4", "more than two segments past the last one listed (1)")]
    [InlineData("_HLS_msn=abc", "must be one decimal integer")]
    [InlineData("_HLS_msn=-1", "must be one decimal integer")]
    [InlineData("_HLS_msn=1.5", "must be one decimal integer")]
    [InlineData("_HLS_msn=2&_HLS_msn=3", "must be one decimal integer")]
    [InlineData("_HLS_msn=99999999999999999999", "must be one decimal integer")]
    [InlineData("_HLS_msn=2&_HLS_part=0", "publishes no partial segments")]
    [InlineData("_HLS_part=0", "_HLS_part needs _HLS_msn")]
    public async Task Directives_it_cannot_honour_are_a_400_at_once(string query, string detail)
    {
        using var response = await Http.GetAsync($"/streams/{Stream}/live.m3u8?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delta_update_request_is_ignored_as_none_is_offered()
    {
        using var response = await Http.GetAsync($"/streams/{Stream}/live.m3u8?_HLS_skip=YES&_HLS_msn=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, M3u8Parser.Parse(await response.Content.ReadAsStringAsync()).Segments.Count);
    }

    [Fact]
    public async Task A_replica_that_is_not_told_of_the_segment_answers_once_its_store_sync_finds_it()
    {
        // Two Playlist replicas on one store: A applies the segment events, B hears none and syncs from the store.
        using var tmp = new TempDirectory();
        var store = new DaprVideo.Embedded.Adapters.FileObjectStore(tmp.Path);
        var options = new PlaylistBuilderOptions { Playlist = new DaprVideo.Core.Playlist.PlaylistOptions { SegmentSeconds = 1 } };
        var a = new PlaylistBuilder(store, options);
        var b = new PlaylistBuilder(store, options);
        var freshness = new DaprVideo.Playlist.PlaylistFreshness(b, TimeSpan.FromMilliseconds(100));
        var id = StreamId.Parse(Stream);
        async Task SegmentAsync(long sequence)
        {
            var start = HlsSeed.T0.AddSeconds(sequence);
            await store.PutAsync(ObjectKeys.SegmentRecord(id, sequence), new DaprVideo.Core.Playlist.SegmentRecord(Stream, sequence, start, 1, false, true, []).ToJsonBytes());
            await a.OnSegmentAsync(new SegmentAnnotated(Stream, sequence, ObjectKeys.Segment(id, sequence), ObjectKeys.SegmentRecord(id, sequence), start, 1, false, true));
        }
        await SegmentAsync(0);

        var held = BlockingPlaylistReload.WaitAsync(id, 1, b, c => freshness.EnsureFreshAsync(id, c), TimeProvider.System, freshness.Interval, CancellationToken.None);
        await SegmentAsync(1);

        Assert.Null(await held);
        Assert.True(b.TryGet(id, out var state, out _));
        Assert.Equal(1, state.LastMediaSequence);
    }
}
