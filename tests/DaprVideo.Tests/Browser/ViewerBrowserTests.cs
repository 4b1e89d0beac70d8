using System.Text.Json;
using DaprVideo.Core.Events;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Browser;

/// <summary>
/// The viewer in real headless Chromium against a stream the real pipeline produced: it lists, plays (hls.js on
/// MediaSource), draws the timeline, seeks, filters by label, shows API problems and fits a phone.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ViewerBrowserTests(ViewerStreamFixture fixture, ITestOutputHelper output) : IClassFixture<ViewerStreamFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private const string ScreenshotPath = "/tmp/daprvideo-viewer-375.png";
    private const string ListScreenshotPath = "/tmp/daprvideo-viewer-list-375.png";

    private const string VideoState =
        "(() => { const v = document.querySelector('video'); const q = v.getVideoPlaybackQuality(); " +
        "return { t: v.currentTime, frames: q.totalVideoFrames, ready: v.readyState, paused: v.paused, src: v.src, " +
        "error: v.error && v.error.message, problem: document.getElementById('problem').textContent }; })()";

    private Uri StreamPage => fixture.Url($"/?stream={ViewerStreamFixture.StreamId}");

    [Fact]
    public async Task Stream_list_links_to_the_stream()
    {
        await using var page = await fixture.Browser.NewPageAsync();
        await page.NavigateAsync(fixture.Url("/"));

        var link = await page.WaitForAsync(
            "(() => { const a = document.querySelector('#stream-list a.name'); return a && { text: a.textContent, href: a.getAttribute('href'), " +
            "state: a.parentElement.querySelector('.state').textContent }; })()", Patience, "document.body.innerText");

        Assert.Equal(ViewerStreamFixture.StreamId, link.GetProperty("text").GetString());
        Assert.Equal($"/?stream={ViewerStreamFixture.StreamId}", link.GetProperty("href").GetString());
        Assert.Equal("ended", link.GetProperty("state").GetString());
        output.WriteLine(fixture.Timings);
    }

    [Fact]
    public async Task Stream_page_plays_the_video_with_hls_js_on_MediaSource()
    {
        await using var page = await fixture.Browser.NewPageAsync();
        var h264 = await page.EvaluateAsync("MediaSource.isTypeSupported('video/mp4; codecs=\"avc1.64001f\"')");
        Assert.True(h264.GetBoolean(), "This Chromium build cannot decode H.264 through MediaSource.");

        var started = DateTime.UtcNow;
        await page.NavigateAsync(StreamPage);
        var state = await page.WaitForAsync(
            "(() => { const v = document.querySelector('video'); return v.currentTime > 1 && v.getVideoPlaybackQuality().totalVideoFrames > 0 && " +
            "{ t: v.currentTime, frames: v.getVideoPlaybackQuality().totalVideoFrames, src: v.src }; })()", Patience, VideoState);
        output.WriteLine($"played {state.GetProperty("t").GetDouble():F2} s, {state.GetProperty("frames").GetInt32()} frames decoded, " +
            $"{(DateTime.UtcNow - started).TotalSeconds:F1} s after navigation");

        // hls.js feeds the element through MediaSource (a blob: URL), not the browser's own HLS support.
        Assert.StartsWith("blob:", state.GetProperty("src").GetString(), StringComparison.Ordinal);
        // An ended stream opens on the full recording.
        Assert.True((await page.EvaluateAsync("document.getElementById('mode-full').checked")).GetBoolean());
        Assert.True((await page.EvaluateAsync("document.getElementById('problem').hidden")).GetBoolean(), page.Log);
        // Nothing came from another origin (no CDN): every resource is ours or a MediaSource blob.
        var foreign = await page.EvaluateAsync(
            "performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin + '/') && !n.startsWith('blob:'))");
        Assert.Empty(foreign.EnumerateArray());
        Assert.DoesNotContain(fixture.Browser.DevTools.PageLog, line => line.Contains("Content Security Policy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Timeline_has_one_mark_per_segment_and_a_click_seeks_there()
    {
        var records = Records();
        await using var page = await fixture.Browser.NewPageAsync();
        await page.NavigateAsync(StreamPage);

        var marks = await page.WaitForAsync(
            $"document.querySelectorAll('#timeline .mark').length === {records.Count} && " +
            "[...document.querySelectorAll('#timeline .mark')].map(m => ({ segment: Number(m.dataset.segment), cls: m.className }))",
            Patience, "document.getElementById('timeline').outerHTML");
        var shown = marks.EnumerateArray().ToArray();
        Assert.Equal(records.Select(r => r.Sequence), shown.Select(m => m.GetProperty("segment").GetInt64()));
        for (var i = 0; i < records.Count; i++)
        {
            var expected = records[i].Frames.Any(f => f.Detections.Count > 0) ? "some" : "none";
            Assert.Contains(expected, shown[i].GetProperty("cls").GetString()!.Split(' '));
        }

        // Wait until playback runs, then click the last segment's mark with the mouse.
        await page.WaitForAsync("document.querySelector('video').currentTime > 0.2", Patience, VideoState);
        var last = records[^1];
        var lastStart = records.Take(records.Count - 1).Sum(r => r.DurationSeconds);
        await page.ClickAsync($"#timeline .mark[data-segment=\"{last.Sequence}\"]");

        var landed = await page.WaitForAsync(
            $"(() => {{ const t = document.querySelector('video').currentTime; return t >= {lastStart - 0.1:R} && " +
            $"document.querySelector('#timeline .mark[data-segment=\"{last.Sequence}\"]').getAttribute('aria-current') === 'true' && t; }})()",
            Patience, VideoState);
        Assert.InRange(landed.GetDouble(), lastStart - 0.1, lastStart + last.DurationSeconds + 0.5);
    }

    [Fact]
    public async Task Timeline_works_from_the_keyboard()
    {
        var records = Records();
        await using var page = await fixture.Browser.NewPageAsync();
        await page.NavigateAsync(StreamPage);
        await page.WaitForAsync($"document.querySelectorAll('#timeline .mark').length === {records.Count} && document.querySelector('video').readyState >= 2",
            Patience, VideoState);

        // One Tab stop for the whole timeline; arrows move between segments; Enter plays from the focused one.
        var stops = await page.EvaluateAsync("document.querySelectorAll('#timeline .mark[tabindex=\"0\"]').length");
        Assert.Equal(1, stops.GetInt32());
        await page.EvaluateAsync("document.querySelector('#timeline .mark[tabindex=\"0\"]').focus()");
        await page.PressAsync("Home", 36);
        await page.PressAsync("ArrowRight", 39);
        var focused = await page.EvaluateAsync("Number(document.activeElement.dataset.segment)");
        Assert.Equal(records[1].Sequence, focused.GetInt64());

        await page.PressAsync("Enter", 13);
        var start = records[0].DurationSeconds;
        await page.WaitForAsync(
            $"(() => {{ const v = document.querySelector('video'); return !v.seeking && v.currentTime >= {start - 0.1:R} && v.currentTime <= {start + records[1].DurationSeconds + 0.5:R}; }})()",
            Patience, VideoState);
    }

    [Fact]
    public async Task Live_toggle_switches_to_the_live_playlist()
    {
        await using var page = await fixture.Browser.NewPageAsync();
        await page.NavigateAsync(StreamPage);
        await page.WaitForAsync("document.querySelector('video').currentTime > 0.2", Patience, VideoState);

        await page.ClickAsync("#mode-live");
        await page.WaitForAsync(
            "performance.getEntriesByType('resource').some(e => e.name.endsWith('/live.m3u8')) && document.getElementById('mode-live').checked && " +
            "document.getElementById('player-status').textContent.includes('live')", Patience, "document.getElementById('player-status').textContent");
        // The new playlist plays too.
        await page.WaitForAsync("(() => { const v = document.querySelector('video'); return v.readyState >= 2 && !v.paused; })()", Patience, VideoState);
    }

    [Fact]
    public async Task Label_filter_highlights_matching_segments_and_lists_hits_that_seek()
    {
        const string label = "cat"; // chelsea.png, seconds 2-4 of the clip
        var records = Records();
        var expected = records.Where(r => r.Frames.Any(f => f.Detections.Any(d => d.Label == label))).Select(r => r.Sequence).ToArray();
        Assert.NotEmpty(expected); // the real detector must find the cat, or this test proves nothing

        await using var page = await fixture.Browser.NewPageAsync();
        await page.NavigateAsync(StreamPage);
        await page.WaitForAsync($"[...document.querySelectorAll('#label-filter option')].some(o => o.value === '{label}')", Patience,
            "document.getElementById('label-filter').outerHTML");
        await page.EvaluateAsync($"(() => {{ const s = document.getElementById('label-filter'); s.value = '{label}'; s.dispatchEvent(new Event('change')); }})()");

        var hits = await page.WaitForAsync("document.querySelectorAll('#hits button').length", Patience, "document.getElementById('hits-status').textContent");
        var expectedHits = records.Sum(r => r.Frames.Count(f => f.Detections.Any(d => d.Label == label)));
        Assert.Equal(Math.Min(expectedHits, 100), hits.GetInt32());

        var matched = await page.EvaluateAsync("[...document.querySelectorAll('#timeline .mark.match')].map(m => Number(m.dataset.segment))");
        Assert.Equal(expected, matched.EnumerateArray().Select(e => e.GetInt64()));

        // Clicking a hit plays from its segment.
        var firstHitSegment = records.First(r => r.Frames.Any(f => f.Detections.Any(d => d.Label == label)));
        var start = records.TakeWhile(r => r.Sequence != firstHitSegment.Sequence).Sum(r => r.DurationSeconds);
        await page.WaitForAsync("document.querySelector('video').readyState >= 2", Patience, VideoState);
        await page.ClickAsync("#hits li:first-child button");
        var at = await page.WaitForAsync(
            $"(() => {{ const v = document.querySelector('video'); return !v.seeking && v.currentTime >= {start - 0.1:R} && " +
            $"v.currentTime <= {start + firstHitSegment.DurationSeconds + 0.5:R} && v.currentTime; }})()", Patience, VideoState);
        output.WriteLine($"first '{label}' hit in segment {firstHitSegment.Sequence}; playing at {at.GetDouble():F2} s");
    }

    [Fact]
    public async Task Problem_json_from_the_api_is_shown_plainly()
    {
        await using var page = await fixture.Browser.NewPageAsync();
        await page.NavigateAsync(fixture.Url("/?stream=nosuch"));
        var text = await page.WaitForAsync("(() => { const p = document.getElementById('problem'); return !p.hidden && p.textContent; })()",
            Patience, "document.body.innerText");
        Assert.Equal("Not found (HTTP 404): No stream 'nosuch'.", text.GetString());
    }

    [Fact]
    public async Task Fits_a_375px_phone_without_horizontal_scroll()
    {
        await using var page = await fixture.Browser.NewPageAsync();
        await page.SetViewportAsync(375, 800);

        await page.NavigateAsync(fixture.Url("/"));
        await page.WaitForAsync("document.querySelector('#stream-list a.name')", Patience);
        var listWidth = await page.EvaluateAsync("document.documentElement.scrollWidth");
        Assert.True(listWidth.GetInt32() <= 375, $"stream list is {listWidth} px wide at 375 px");
        await File.WriteAllBytesAsync(ListScreenshotPath, await page.ScreenshotPngAsync());

        await page.NavigateAsync(StreamPage);
        await page.WaitForAsync("[...document.querySelectorAll('#label-filter option')].some(o => o.value === 'person')", Patience);
        await page.EvaluateAsync("(() => { const s = document.getElementById('label-filter'); s.value = 'person'; s.dispatchEvent(new Event('change')); })()");
        await page.WaitForAsync("document.querySelectorAll('#hits button').length > 0 && document.querySelector('video').currentTime > 0.5", Patience, VideoState);
        var width = await page.EvaluateAsync("document.documentElement.scrollWidth");
        Assert.True(width.GetInt32() <= 375, $"stream page is {width} px wide at 375 px");

        await File.WriteAllBytesAsync(ScreenshotPath, await page.ScreenshotPngAsync());
        output.WriteLine($"screenshots: {ListScreenshotPath}, {ScreenshotPath}");
    }

    [Fact]
    public async Task Events_list_shows_crop_thumbnails_filters_by_label_and_a_click_seeks_to_the_event()
    {
        var records = Records();
        var lastStart = records.Take(records.Count - 1).Sum(r => r.DurationSeconds);
        // Two events as Inference writes them (record, snapshot, crop, then the message); labels and track ids no
        // tracker of this stream would give, so real events of the stream cannot get in the way.
        var kite = StoredEvents.Make(ViewerStreamFixture.StreamId, 901, "kite", startSeconds: 0.5, endSeconds: 1.5, zones: ["sky"],
            firstSequence: records[0].Sequence, lastSequence: records[0].Sequence);
        var giraffe = StoredEvents.Make(ViewerStreamFixture.StreamId, 902, "giraffe", startSeconds: lastStart + 0.6, endSeconds: lastStart + 1.2,
            firstSequence: records[^1].Sequence, lastSequence: records[^1].Sequence);
        var jpeg = Path.Combine(fixture.Host.Media, "event.jpg");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", "color=c=orange:s=96x72", "-frames:v", "1", jpeg);
        var store = fixture.Host.App.Services.GetRequiredService<IObjectStore>();
        var bus = fixture.Host.App.Services.GetRequiredService<IEventPublisher>();
        foreach (var e in new[] { kite, giraffe })
        {
            await StoredEvents.StoreAsync(store, e, await File.ReadAllBytesAsync(jpeg));
            await bus.PublishAsync(Topics.Events, StoredEvents.Changed(e, TrackEventChanged.Ended));
        }
        await Eventually.HoldsAsync(() => fixture.Host.Http.GetStringAsync($"/api/streams/{ViewerStreamFixture.StreamId}/events"),
            json => json.Contains("\"photos.902\"", StringComparison.Ordinal) && json.Contains("\"photos.901\"", StringComparison.Ordinal), "both events indexed", 30);

        await using var page = await fixture.Browser.NewPageAsync();
        await page.NavigateAsync(StreamPage);
        const string Item = "document.querySelector('#event-list li[data-event=\"photos.{0}\"]')";
        string ItemOf(long track) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Item, track);
        var loaded = await page.WaitForAsync(
            $"(() => {{ const a = {ItemOf(901)}, b = {ItemOf(902)}; const ia = a && a.querySelector('img'), ib = b && b.querySelector('img'); " +
            "return ia && ib && ia.complete && ib.complete && ia.naturalWidth > 0 && ib.naturalWidth > 0 && " +
            "{ a: ia.naturalWidth, b: ib.naturalWidth, order: [...document.querySelectorAll('#event-list li')].map(li => li.dataset.event), " +
            "marks: document.querySelectorAll('#event-marks span').length }; })()",
            Patience, "document.getElementById('event-list').outerHTML");
        Assert.Equal(96, loaded.GetProperty("a").GetInt32());
        var order = loaded.GetProperty("order").EnumerateArray().Select(o => o.GetString()).ToList();
        Assert.True(order.IndexOf("photos.902") < order.IndexOf("photos.901"), "newest first: " + string.Join(',', order));
        Assert.True(loaded.GetProperty("marks").GetInt32() >= 2);

        // The label filter (filled from the events) hides the kite.
        await page.EvaluateAsync("(() => { const s = document.getElementById('event-label'); s.value = 'giraffe'; s.dispatchEvent(new Event('change')); })()");
        var filtered = await page.EvaluateAsync($"({{ kite: {ItemOf(901)}.hidden, giraffe: {ItemOf(902)}.hidden }})");
        Assert.True(filtered.GetProperty("kite").GetBoolean());
        Assert.False(filtered.GetProperty("giraffe").GetBoolean());

        // A click plays from the event's start on the media timeline.
        await page.WaitForAsync("document.querySelector('video').currentTime > 0.2", Patience, VideoState);
        await page.ClickAsync("#event-list li[data-event=\"photos.902\"] button");
        var landed = await page.WaitForAsync(
            $"(() => {{ const v = document.querySelector('video'); return !v.seeking && v.currentTime >= {giraffe.StartSeconds - 0.3:R} && v.currentTime; }})()",
            Patience, VideoState);
        Assert.InRange(landed.GetDouble(), giraffe.StartSeconds - 0.3, giraffe.StartSeconds + 1.5);
    }

    private List<SegmentRecord> Records() =>
        [.. Directory.EnumerateFiles(Path.Combine(fixture.DataDirectory, ViewerStreamFixture.StreamId, "segments"), "*.json")
            .Select(f => SegmentRecord.Parse(File.ReadAllBytes(f)))
            .OrderBy(r => r.Sequence)];
}
