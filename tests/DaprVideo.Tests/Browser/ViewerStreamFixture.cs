using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using DaprVideo.Tests.Embedded;
using DaprVideo.Tests.Media.Capture;
using DaprVideo.Tests.Media.Codec;

namespace DaprVideo.Tests.Browser;

/// <summary>
/// Shared by the browser tests: a clip of the repo's photos made with ffmpeg, run through the real <c>process</c>
/// <c>serve</c> host (added through its API from a media folder, so every URL the page reads is the product's own),
/// and one headless Chromium.
/// </summary>
public sealed class ViewerStreamFixture : IAsyncLifetime
{
    public const string StreamId = "photos";

    /// <summary>Photos in clip order, two seconds each: 8 s, so three segments at the default 3 s.</summary>
    public static readonly string[] Photos = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png"];

    public ServeHost Host { get; private set; } = null!;
    public ChromiumBrowser Browser { get; private set; } = null!;
    public string DataDirectory => Host.Data;

    /// <summary>Where the fixture's time went, for the test output.</summary>
    public string Timings { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // Fail first, and clearly, when the browser is missing: no point making video for it.
        ChromiumBrowser.FindExecutable();
        var clock = Stopwatch.StartNew();
        var launching = ChromiumBrowser.LaunchAsync();

        try
        {
            await ProduceStreamAsync(clock);
        }
        catch
        {
            // Do not leave the browser running when the stream could not be made.
            try { await (await launching).DisposeAsync(); }
            catch (InvalidOperationException) { /* it failed to start as well */ }
            throw;
        }

        Browser = await launching;
        Timings += $", host+browser ready at {clock.Elapsed.TotalSeconds:F1} s";
    }

    private async Task ProduceStreamAsync(Stopwatch clock)
    {
        Host = await ServeHost.StartAsync(segmentSeconds: 3);
        var clip = Path.Combine(Host.Media, "photos.mp4");
        MakeClip(clip);
        var clipSeconds = clock.Elapsed.TotalSeconds;

        var created = await Host.Http.PostAsJsonAsync("/api/streams", new { id = StreamId, source = clip });
        if (created.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /api/streams answered {created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        await Eventually.HoldsAsync(
            async () => (await Host.Http.GetAsync($"/streams/{StreamId}/index.m3u8")) is { IsSuccessStatusCode: true } r ? await r.Content.ReadAsStringAsync() : "",
            text => text.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal), "the stream's playlist to end");
        Timings = $"clip {clipSeconds:F1} s, serve {clock.Elapsed.TotalSeconds - clipSeconds:F1} s";
    }

    public Uri Url(string relative) => new(Host.Http.BaseAddress!, relative);

    /// <summary>Each photo decoded once and held for two seconds (the loop filter), letterboxed to 640x360, 25 fps H.264.</summary>
    private static void MakeClip(string path)
    {
        const int frames = 2 * 25;
        var args = new List<string>();
        foreach (var photo in Photos)
            args.AddRange(["-i", RepoPaths.Photo(photo)]);
        var held = string.Concat(Photos.Select((_, i) =>
            $"[{i}:v]scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p," +
            $"loop=loop={frames - 1}:size=1,setpts=N/25/TB[v{i}];"));
        var inputs = string.Concat(Photos.Select((_, i) => $"[v{i}]"));
        args.AddRange(["-filter_complex", $"{held}{inputs}concat=n={Photos.Length}:v=1:a=0[out]", "-map", "[out]",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-r", "25", path]);
        MediaClips.Ffmpeg([.. args]);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        if (Host is not null) await Host.DisposeAsync();
    }
}
