using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using DaprVideo.Tests.Embedded;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Browser;

/// <summary>
/// The viewer following a live camera in real headless Chromium, the camera's wall clock burned into every frame
/// (<see cref="ClockCamera"/>) and read back from the pixels (<see cref="ClockProbe"/>): hls.js's playingDate, which
/// comes from the playlist's EXT-X-PROGRAM-DATE-TIME, must name the very frame that is shown. No latency threshold
/// here (a busy machine moves it): bench/LatencyBench measures that.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class LiveClockBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>How far hls.js's date of a shown frame may be from when the frame was made: generous, as it is truthful or off by whole segments.</summary>
    private const double DateTolerance = 2.0;

    [Fact]
    public async Task Playing_date_is_the_clock_burned_into_the_frame_shown()
    {
        ChromiumBrowser.FindExecutable();
        await using var camera = new ClockCamera(320, 180);
        await using var host = await ServeHost.StartAsync(segmentSeconds: 1);
        await using var browser = await ChromiumBrowser.LaunchAsync();
        var created = await host.Http.PostAsJsonAsync("/api/streams", new { id = "clock", source = camera.Url });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await using var page = await browser.NewPageAsync();
        await ClockProbe.InstallAsync(page);
        await page.NavigateAsync(new Uri(host.Http.BaseAddress!, "/?stream=clock"));

        // Wait until hls.js has played for a while: 15 frames sampled with a playing date, spanning 2 s of camera time.
        var samples = await PollAsync(page, s => s.Count(x => x.PlayingDate is not null) >= 15 && s[^1].Made - s[0].Made >= 2000);
        var dated = samples.Where(s => s.PlayingDate is not null).ToList();
        foreach (var s in dated)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"made {s.Made:F0}  hls.js date of the frame {s.FrameDate:F0} ({(s.FrameDate - s.Made) / 1000:+0.00;-0.00} s)  glass-to-glass {s.GlassToGlass:F2} s"));

        // The clock read from the pixels moves forward: frames are real, live and decoded, not a frozen picture.
        for (var i = 1; i < samples.Count; i++)
            Assert.True(samples[i].Made >= samples[i - 1].Made, $"the burned-in clock went back at sample {i}: {samples[i - 1].Made} -> {samples[i].Made}");
        // Each frame was made before it was shown, and not long before (it is a live view).
        Assert.All(samples, s => Assert.InRange(s.GlassToGlass, 0, 60));
        // PDT is truthful: hls.js's date for the shown frame is when the camera made it.
        Assert.All(dated, s => Assert.True(Math.Abs(s.FrameDate!.Value - s.Made) / 1000 < DateTolerance,
            $"hls.js dates the frame made at {s.Made} as {s.FrameDate}: {(s.FrameDate - s.Made) / 1000:F2} s off"));

        // The live view sits one target duration (1 s) plus 1 s behind the edge, not hls.js's three target durations,
        // and jumps back to the edge when more than two target durations beyond that.
        var config = await page.EvaluateAsync("(() => { const c = __clock.players[__clock.players.length - 1].config; " +
            "return { sync: c.liveSyncDuration, max: c.liveMaxLatencyDuration, lowLatency: c.lowLatencyMode }; })()");
        Assert.Equal(2.0, config.GetProperty("sync").GetDouble());
        Assert.Equal(4.0, config.GetProperty("max").GetDouble());
        Assert.True(config.GetProperty("lowLatency").GetBoolean());

        // The live view asked for the next segment with a blocking reload (the server advertises it).
        var blocking = await page.EvaluateAsync("performance.getEntriesByType('resource').some(e => /live\\.m3u8\\?_HLS_msn=\\d+/.test(e.name))");
        Assert.True(blocking.GetBoolean(), "hls.js never sent _HLS_msn");
        Assert.True(camera.Requests >= 1);
    }

    private static async Task<IReadOnlyList<ClockSample>> PollAsync(BrowserPage page, Func<IReadOnlyList<ClockSample>, bool> enough)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var samples = await ClockProbe.SamplesAsync(page);
            if (samples.Count > 0 && enough(samples)) return samples;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {Patience.TotalSeconds:F0} s waiting for dated frames; {samples.Count} samples; " +
                    $"probe {await ClockProbe.StateAsync(page)}\npage log:\n{page.Log}");
            await Task.Delay(200); // polling interval of a real condition
        }
    }
}
