// Glass-to-glass latency benchmark (issue 13). A live HTTP camera whose frames carry the wall clock they were made at
// (tests/.../Browser/ClockCamera: a 32-bit block code of the epoch milliseconds, drawn by ffmpeg's geq from RTCTIME)
// feeds a real `daprvideo serve` process; headless Chromium opens the viewer on the stream and, for every frame it
// shows (at most 5 a second), reads the clock back from the pixels (canvas getImageData) and hls.js's playingDate
// (tests/.../Browser/ClockProbe). Prints, for the defaults and then for the low-latency setting (SEGMENT_SECONDS=1):
//   glass-to-glass   = when the frame is shown - when it was made (true latency, camera encode to screen);
//   now - playingDate = what the page can tell from the playlist's EXT-X-PROGRAM-DATE-TIME alone;
//   PDT error        = hls.js's date of the shown frame - when it was made (how truthful the playlist's dates are).
// and where a segment's time goes before a player can have it (from the data folder's file times; DEBUG=true keeps
// the raw chunks): capture = chunk stored - its last frame made (chunk closed by ffmpeg, probed, journalled, stored),
// analysis = annotated segment stored - chunk stored, listing = first seen in live.m3u8 (polled every 50 ms) - stored.
// Usage: dotnet run -c Release --project bench/LatencyBench [-- --seconds 60 --warmup 15 --size 640x360 --only default|low]
// Needs ffmpeg and /usr/bin/chromium. On a shared machine the figures move with the load: the load average is printed.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DaprVideo.Tests.Browser;

var seconds = Option("--seconds", 60);
var warmup = Option("--warmup", 15);
var size = OptionText("--size", "640x360").Split('x');
var only = OptionText("--only", "");
var (width, height) = (int.Parse(size[0], CultureInfo.InvariantCulture), int.Parse(size[1], CultureInfo.InvariantCulture));
var cli = Path.Combine(AppContext.BaseDirectory, "daprvideo.dll");

var configurations = new (string Name, string Key, Dictionary<string, string> Environment)[]
{
    ("defaults (SEGMENT_SECONDS 3)", "default", []),
    ("low latency (SEGMENT_SECONDS=1)", "low", new() { ["SEGMENT_SECONDS"] = "1" }),
}.Where(c => only.Length == 0 || c.Key == only).ToArray();

await using var camera = new ClockCamera(width, height);
await using var browser = await ChromiumBrowser.LaunchAsync();
Console.WriteLine($"latency: clock camera {width}x{height} 25 fps H.264 (1 s GOP) over HTTP -> daprvideo serve -> viewer in headless Chromium; " +
    $"{seconds} s sampled after {warmup} s of playback, per configuration");
var results = new List<string>();
foreach (var (name, _, environment) in configurations)
    results.Add(await MeasureAsync(name, environment));
Console.WriteLine();
foreach (var line in results) Console.WriteLine(line);
return 0;

async Task<string> MeasureAsync(string name, Dictionary<string, string> environment)
{
    Console.WriteLine($"\n{name}: load average {LoadAverage()}");
    var data = Directory.CreateTempSubdirectory("daprvideo-latency-").FullName;
    var port = FreePort();
    using var serve = Start("dotnet", [cli, "serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--data", data],
        new(environment) { ["LOG_LEVEL"] = "Warning", ["DEBUG"] = "true" });
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    try
    {
        await UntilAsync(async () => await TryGetAsync(http, "api/streams") is not null, TimeSpan.FromSeconds(60), "serve to answer", serve);
        using (var created = await http.PostAsync("api/streams", new StringContent(
                   $$"""{"id":"clock","source":"{{camera.Url}}"}""", Encoding.UTF8, "application/json")))
            if (!created.IsSuccessStatusCode)
                throw new InvalidOperationException($"POST /api/streams: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        var clock = Stopwatch.StartNew();
        using var stopListing = new CancellationTokenSource();
        var listed = new Dictionary<long, DateTimeOffset>();
        var watching = WatchListingAsync(http, listed, stopListing.Token);
        await UntilAsync(async () => await TryGetAsync(http, "streams/clock/live.m3u8") is not null, TimeSpan.FromSeconds(60), "live.m3u8", serve);
        Console.WriteLine($"  live.m3u8 listed a segment {clock.Elapsed.TotalSeconds:F1} s after the stream was added");

        await using var page = await browser.NewPageAsync();
        await ClockProbe.InstallAsync(page);
        await page.NavigateAsync(new Uri(http.BaseAddress!, "/?stream=clock"));
        await UntilAsync(async () => (await ClockProbe.SamplesAsync(page)).Count > 0, TimeSpan.FromSeconds(60),
            "the first frame with a readable clock", serve, async () => await ClockProbe.StateAsync(page) + "\n" + page.Log);
        var first = (await ClockProbe.SamplesAsync(page))[0];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  first frame shown {clock.Elapsed.TotalSeconds:F1} s after the stream was added, {first.GlassToGlass:F2} s after it was made"));

        var end = first.At + ((warmup + seconds) * 1000.0);
        var progress = Stopwatch.StartNew();
        var samples = new List<ClockSample>();
        while (samples.Count == 0 || samples[^1].At < end)
        {
            await Task.Delay(TimeSpan.FromSeconds(1)); // the observer's polling period, not synchronisation
            if (serve.HasExited) throw new InvalidOperationException($"serve exited with {serve.ExitCode}");
            samples.AddRange(await ClockProbe.SamplesAsync(page, samples.Count));
            if (progress.Elapsed > TimeSpan.FromSeconds(15) && samples.Count > 0)
            {
                progress.Restart();
                var s = samples[^1];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  t {(s.At - first.At) / 1000,5:F0} s: glass-to-glass {s.GlassToGlass:F2} s, now - playingDate {s.PlayingDateLatency:F2} s, " +
                    $"hls.js latency {s.Latency:F2} s (target {s.TargetLatency:F2}), buffer {s.Buffered:F2} s, rate {s.Rate:F2}"));
            }
        }
        var measured = samples.Where(s => s.At >= first.At + (warmup * 1000.0) && s.At <= end).ToList();
        await stopListing.CancelAsync();
        await watching;
        var stages = Stages(Path.Combine(data, "clock"), listed,
            DateTimeOffset.FromUnixTimeMilliseconds((long)measured[0].At), DateTimeOffset.FromUnixTimeMilliseconds((long)end));
        var state = await ClockProbe.StateAsync(page);
        var playlist = await TryGetAsync(http, "streams/clock/live.m3u8") ?? "";
        var target = playlist.Split('\n').FirstOrDefault(l => l.StartsWith("#EXT-X-TARGETDURATION:", StringComparison.Ordinal))?[22..] ?? "?";

        var g2g = measured.Select(s => s.GlassToGlass).Order().ToList();
        var pd = measured.Where(s => s.PlayingDateLatency is not null).Select(s => s.PlayingDateLatency!.Value).Order().ToList();
        var pdtError = measured.Where(s => s.FrameDate is not null).Select(s => (s.FrameDate!.Value - s.Made) / 1000).Order().ToList();
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{name}, target duration {target} s, {measured.Count} frames over {seconds} s, load average {LoadAverage()}:\n" +
            $"  glass-to-glass      {Stats(g2g)}\n" +
            $"  now - playingDate   {Stats(pd)}\n" +
            $"  PDT error (date - made) {Stats(pdtError)}\n" +
            $"  segments ({stages.Capture.Count}): capture {Stats(stages.Capture)}\n" +
            $"               analysis {Stats(stages.Analysis)}\n" +
            $"               listing  {Stats(stages.Listing)}\n" +
            $"  listed after the last frame  {Stats(stages.Total)}\n" +
            $"  hls.js target latency at the end {measured[^1].TargetLatency:F2} s (hold-back, plus 1 s per stall); probe {state}");
        Console.WriteLine(summary);

        using (await http.DeleteAsync("api/streams/clock")) { }
        return summary;
    }
    finally
    {
        await StopAsync(serve);
        Directory.Delete(data, recursive: true);
    }
}

// The playlist as a player sees it, polled (not blocking: the poller must not change what it measures much).
static async Task WatchListingAsync(HttpClient http, Dictionary<long, DateTimeOffset> listed, CancellationToken stop)
{
    while (!stop.IsCancellationRequested)
    {
        var text = await TryGetAsync(http, "streams/clock/live.m3u8");
        var now = DateTimeOffset.UtcNow;
        foreach (var line in (text ?? "").Split('\n').Where(l => l.StartsWith("segments/", StringComparison.Ordinal)))
            listed.TryAdd(long.Parse(line.AsSpan(9, 6), CultureInfo.InvariantCulture), now);
        try { await Task.Delay(50, stop); } // the poller's period
        catch (OperationCanceledException) { return; }
    }
}

// Each segment listed within [from, to]: its last frame (record start + duration), chunk and segment file times, listing time.
static (List<double> Capture, List<double> Analysis, List<double> Listing, List<double> Total) Stages(
    string stream, Dictionary<long, DateTimeOffset> listed, DateTimeOffset from, DateTimeOffset to)
{
    var (capture, analysis, listing, total) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
    foreach (var (sequence, at) in listed.Where(kv => kv.Value >= from && kv.Value <= to))
    {
        var name = sequence.ToString("D6", CultureInfo.InvariantCulture);
        var record = Path.Combine(stream, "segments", name + ".json");
        var chunk = Path.Combine(stream, "chunks", name + ".ts");
        var segment = Path.Combine(stream, "segments", name + ".ts");
        if (!File.Exists(record) || !File.Exists(chunk) || !File.Exists(segment)) continue;
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(record));
        var lastFrame = json.RootElement.GetProperty("start").GetDateTimeOffset()
            .AddSeconds(json.RootElement.GetProperty("duration").GetDouble());
        var chunkAt = new DateTimeOffset(File.GetLastWriteTimeUtc(chunk));
        var segmentAt = new DateTimeOffset(File.GetLastWriteTimeUtc(segment));
        capture.Add((chunkAt - lastFrame).TotalSeconds);
        analysis.Add((segmentAt - chunkAt).TotalSeconds);
        listing.Add((at - segmentAt).TotalSeconds);
        total.Add((at - lastFrame).TotalSeconds);
    }
    capture.Sort();
    analysis.Sort();
    listing.Sort();
    total.Sort();
    return (capture, analysis, listing, total);
}

static string Stats(List<double> sorted) => sorted.Count == 0
    ? "no samples"
    : string.Create(CultureInfo.InvariantCulture,
        $"p50 {Percentile(sorted, 0.5),5:F2} s  p95 {Percentile(sorted, 0.95),5:F2} s  max {sorted[^1],5:F2} s  (min {sorted[0]:F2} s)");

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

int Option(string name, int fallback) => OptionText(name, "") is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

string OptionText(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static async Task<string?> TryGetAsync(HttpClient http, string path)
{
    try
    {
        using var response = await http.GetAsync(path);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
    }
    catch (HttpRequestException)
    {
        return null;
    }
}

static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Process serve, Func<Task<string>>? describe = null)
{
    var clock = Stopwatch.StartNew();
    while (!await condition())
    {
        if (serve.HasExited) throw new InvalidOperationException($"serve exited with {serve.ExitCode} while waiting for {what}");
        if (clock.Elapsed > timeout)
            throw new TimeoutException($"waited {timeout.TotalSeconds} s for {what}" + (describe is null ? "" : $": {await describe()}"));
        await Task.Delay(200); // polling period of a real condition
    }
}

static async Task StopAsync(Process process)
{
    if (process.HasExited) return;
    using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    try { await process.WaitForExitAsync(cts.Token); }
    catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
}

static Process Start(string file, string[] arguments, Dictionary<string, string> environment)
{
    var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in arguments) info.ArgumentList.Add(a);
    foreach (var (k, v) in environment) info.Environment[k] = v;
    var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  serve: {e.Data}"); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
