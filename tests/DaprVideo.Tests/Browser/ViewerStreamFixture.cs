using System.Diagnostics;
using DaprVideo.Standalone.Cli;
using DaprVideo.Tests.Media;
using DaprVideo.Tests.TestSupport;

namespace DaprVideo.Tests.Browser;

/// <summary>
/// Shared by the browser tests: a clip of the repo's photos made with ffmpeg, run through the real <c>process</c>
/// command, served by <see cref="ViewerTestHost"/>, and one headless Chromium.
/// </summary>
public sealed class ViewerStreamFixture : IAsyncLifetime
{
    public const string StreamId = "photos";

    /// <summary>Photos in clip order, two seconds each: 8 s, so three segments at the default 3 s.</summary>
    public static readonly string[] Photos = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png"];

    private readonly string _work = Directory.CreateTempSubdirectory("daprvideo-viewer-").FullName;

    public ViewerTestHost Host { get; private set; } = null!;
    public ChromiumBrowser Browser { get; private set; } = null!;
    public string DataDirectory => Path.Combine(_work, "data");

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

        Host = await ViewerTestHost.StartAsync(DataDirectory);
        Browser = await launching;
        Timings += $", host+browser ready at {clock.Elapsed.TotalSeconds:F1} s";
    }

    private async Task ProduceStreamAsync(Stopwatch clock)
    {
        var clip = Path.Combine(_work, "photos.mp4");
        MakeClip(clip);
        var clipSeconds = clock.Elapsed.TotalSeconds;

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CommandLine.RunAsync(["process", clip, "--out", DataDirectory, "--id", StreamId], stdout, stderr, _ => null);
        if (code != 0)
            throw new InvalidOperationException($"process exited {code}: {stderr}");
        Timings = $"clip {clipSeconds:F1} s, process {clock.Elapsed.TotalSeconds - clipSeconds:F1} s";
    }

    public Uri Url(string relative) => new(Host.BaseAddress, relative);

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
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { /* the OS temp cleaner gets it */ }
    }
}
