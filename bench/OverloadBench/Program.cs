// Overload benchmark (issue 12): N live 768x576 10 fps cameras through one embedded `serve` process with the shipped ONNX
// detector, for a while. Cameras are ffmpeg testsrc captured in real time (their H.264 encoding runs on this machine
// too, as in the issue's figure), or with --clip an H.264 clip of the bundled photos panning, played in real time and
// copied as a real camera's stream would be (no encoding on the capture side; the photos give the detector things to find).
// Prints per stream the seconds of video listed per wall second over the measured window (1.00 = real time), the lag
// of its last listed segment behind the camera, the analysis rate of its latest segment and its state; then whether the
// N+1th POST /api/streams was refused with 503. With --fixed the analysis rate never drops (DETECT_FPS_MIN = DETECT_FPS):
// the behaviour before graceful overload, for comparison. On a shared machine wall-clock figures swing with the load,
// so the load average is printed with each run.
// Usage: dotnet run -c Release --project bench/OverloadBench [-- [--seconds 60] [--fixed] [--clip] [N ...]]   (default N: 4 8 16)
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Embedded;
using DaprVideo.Embedded.Commands;
using DaprVideo.Ingest;
using DaprVideo.Onnx;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var seconds = 60;
var fixedRate = false;
var useClip = false;
var counts = new List<int>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--seconds") seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--fixed") fixedRate = true;
    else if (args[i] == "--clip") useClip = true;
    else counts.Add(int.Parse(args[i], CultureInfo.InvariantCulture));
}
if (counts.Count == 0) counts = [4, 8, 16];

const double segmentSeconds = 3;
const double detectFps = 5;
const double floorFps = 1;
const string camera = "testsrc:size=768x576:rate=10";
var root = FindRoot();
var model = Path.Combine(root, "models", SsdModel.FileName);
var work = Directory.CreateTempSubdirectory("daprvideo-overload-").FullName;
try
{
    var clip = useClip ? await MakeClipAsync(root, work, seconds + 30) : null;
    Console.WriteLine(Invariant($"{Environment.ProcessorCount} cores; cameras {(clip is null ? camera : "a 768x576 10 fps H.264 clip played live, copied")}; SEGMENT_SECONDS {segmentSeconds}, DETECT_FPS {detectFps}, DETECT_FPS_MIN {(fixedRate ? detectFps : floorFps)}; {seconds} s per run, video rate measured from {Warmup(seconds)} s on"));
    foreach (var n in counts) await RunAsync(n, clip);
}
finally
{
    try { Directory.Delete(work, recursive: true); }
    catch (IOException) { /* an ffmpeg child may still be closing a file; the temp cleaner gets it */ }
}
return 0;

async Task RunAsync(int n, string? clip)
{
    var data = Path.Combine(work, $"n{n}");
    var settings = new PipelineSettings(segmentSeconds, detectFps, BatchSize: 4, BatchTimeoutMs: 20, Debug: false,
        new DetectorSettings(model, Threads: 0, ScoreThreshold: 0.5f), DetectFpsMin: fixedRate ? detectFps : floorFps);
    var ingest = new IngestOptions { SegmentSeconds = segmentSeconds, MaxStreams = 1000, ScratchDirectory = Path.Combine(data, ".scratch") };
    var load0 = LoadAverage();
    await using var app = await ServeCommand.BuildAsync(settings, ingest, data, "127.0.0.1", 0, LogLevel.Warning);
    await app.StartAsync();
    using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
    var ids = Enumerable.Range(1, n).Select(i => $"cam{i:D2}").ToList();
    foreach (var id in ids)
    {
        if (clip is not null)
        {
            // A file played as if live (what --demo does): not a choice the HTTP API offers.
            await app.Services.GetRequiredService<StreamCaptures>().StartAsync(StreamId.Parse(id), VideoSource.Parse(clip), simulateLive: true);
            continue;
        }
        var created = await http.PostAsJsonAsync("/api/streams", new { id, source = camera });
        if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"POST {id}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
    }
    var clock = Stopwatch.StartNew();

    await Until(Warmup(seconds));
    var first = await SampleAsync(http, ids);
    var cpu1 = Cpu.Sample();
    var t1 = clock.Elapsed.TotalSeconds;
    await Until(seconds);
    var last = await SampleAsync(http, ids);
    var cpu2 = Cpu.Sample();
    var t2 = clock.Elapsed.TotalSeconds;
    var extra = await http.PostAsJsonAsync("/api/streams", new { id = "extra", source = camera });
    var extraText = (int)extra.StatusCode == 503
        ? $"503, Retry-After {extra.Headers.RetryAfter?.Delta?.TotalSeconds} s: {(await extra.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()}"
        : $"{(int)extra.StatusCode} (admitted)";
    var controller = app.Services.GetRequiredService<EmbeddedPipeline>().Analysis!.Load();
    var load1 = LoadAverage();

    Console.WriteLine();
    Console.WriteLine(Invariant($"N = {n}{(fixedRate ? " (fixed rate)" : "")}: load average {load0:F1} -> {load1:F1}; controller rate {controller.RateFps} fps, lag {controller.LagSeconds:F1} s, growth {controller.LagGrowth:F2} s/s, {controller.State}"));
    var (total, capture) = (cpu2.Total - cpu1.Total, cpu2.Capture - cpu1.Capture);
    var video = ids.Sum(id => last[id].Media - first[id].Media);
    Console.WriteLine(Invariant($"  CPU of this process and its ffmpeg children: {total / (t2 - t1):F2} cores busy, of which capture (testsrc -> H.264, a camera's own work) {capture / (t2 - t1):F2}; {(total - capture) / Math.Max(video, 1e-9):F3} core-s per second of video annotated (capture excluded)"));
    Console.WriteLine("  stream  video s / wall s   lag (s)   analysed fps (latest, window mean)   state");
    var speeds = new List<double>();
    foreach (var id in ids)
    {
        var speed = (last[id].Media - first[id].Media) / (t2 - t1);
        speeds.Add(speed);
        var window = last[id].Rates.Skip(first[id].Rates.Count).Where(r => r is not null).Select(r => r!.Value).ToList();
        var mean = window.Count > 0 ? window.Average() : double.NaN;
        Console.WriteLine(Invariant($"  {id}   {speed,10:F2}        {last[id].Lag,7:F1}   {last[id].Rates.LastOrDefault(),6}  {mean,6:F2}                       {last[id].State}"));
    }
    Console.WriteLine(Invariant($"  all     {speeds.Min():F2} .. {speeds.Max():F2} (mean {speeds.Average():F2})"));
    Console.WriteLine($"  stream {n + 1}: {extraText}");

    // Stop the cameras and the host in order (the backlog is abandoned: this is a measurement, not a recording).
    foreach (var id in ids.Append("extra")) await http.DeleteAsync($"/api/streams/{id}");
    await app.StopAsync();

    async Task Until(double at)
    {
        var wait = TimeSpan.FromSeconds(at) - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait); // the benchmark's measuring window
    }
}

static async Task<Dictionary<string, (double Media, double Lag, List<double?> Rates, string State)>> SampleAsync(HttpClient http, List<string> ids)
{
    var sample = new Dictionary<string, (double, double, List<double?>, string)>();
    foreach (var id in ids)
    {
        // A stream none of whose chunks is annotated yet has no timeline (404): nothing listed.
        var answer = await http.GetAsync($"/api/streams/{id}/timeline");
        var timeline = answer.IsSuccessStatusCode ? (await answer.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList() : [];
        var status = await http.GetFromJsonAsync<JsonElement>($"/api/streams/{id}");
        var media = timeline.Sum(s => s.GetProperty("duration").GetDouble());
        var lag = timeline.Count == 0 ? double.NaN
            : (DateTimeOffset.UtcNow - timeline[^1].GetProperty("start").GetDateTimeOffset()).TotalSeconds - timeline[^1].GetProperty("duration").GetDouble();
        var rates = timeline.Select(s => s.TryGetProperty("analysedFps", out var f) ? f.GetDouble() : (double?)null).ToList();
        sample[id] = (media, lag, rates, status.GetProperty("state").GetString()!);
    }
    return sample;
}

// The bundled photos panning (as PipelineBench's clip), 768x576 10 fps H.264 with a keyframe every 3 s: chunks are copied.
static async Task<string> MakeClipAsync(string root, string work, int seconds)
{
    var clip = Path.Combine(work, "camera.mp4");
    var photos = new[] { "astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png" }.Select(p => Path.Combine(root, "assets", "photos", p)).ToList();
    var each = (seconds / (double)photos.Count).ToString(CultureInfo.InvariantCulture);
    var args = new List<string> { "-v", "error", "-y" };
    foreach (var photo in photos) args.AddRange(["-loop", "1", "-framerate", "10", "-t", each, "-i", photo]);
    var filters = string.Concat(photos.Select((_, i) =>
        $"[{i}]scale=864:648:force_original_aspect_ratio=increase,crop=768:576:'(iw-768)/2+(iw-768)/2*sin(t)':'(ih-576)/2',setsar=1,fps=10[v{i}];"));
    args.AddRange(["-filter_complex", filters + string.Concat(photos.Select((_, i) => $"[v{i}]")) + $"concat=n={photos.Count}:v=1",
        "-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p", clip]);
    var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
    foreach (var a in args) psi.ArgumentList.Add(a);
    using var ffmpeg = Process.Start(psi)!;
    var error = await ffmpeg.StandardError.ReadToEndAsync();
    await ffmpeg.WaitForExitAsync();
    if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the clip: {error}");
    return clip;
}

// The start-up transient (first chunks, the controller finding its rate) is left out of the measured window.
static double Warmup(int seconds) => Math.Min(20, seconds / 3.0);

static double LoadAverage() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DaprVideo.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run from inside the repository.");
}

/// <summary>CPU seconds (user + system) of this process and its ffmpeg children, read from /proc; capture ffmpegs (segment muxer) apart.</summary>
internal static class Cpu
{
    private static readonly double Tick = 100.0; // USER_HZ

    public static (double Total, double Capture) Sample()
    {
        var self = Fields("/proc/self/stat");
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        // Own time plus exited (waited-for) children, plus the children alive now.
        var total = (Long(self, 13) + Long(self, 14) + Long(self, 15) + Long(self, 16)) / Tick;
        var capture = 0.0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = Fields(Path.Combine(dir, "stat"));
                if (stat[3] != pid) continue;
                var seconds = (Long(stat, 13) + Long(stat, 14)) / Tick;
                total += seconds;
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("segment_list", StringComparison.Ordinal)) capture += seconds;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // not a process, or it exited while being read
            }
        }
        return (total, capture);
    }

    // stat's fields 0-based as proc(5) numbers them from 1: [0] pid, [1] comm (may hold spaces: cut out), [2] state, [3] ppid, [13] utime.
    private static string[] Fields(string path)
    {
        var text = File.ReadAllText(path);
        var close = text.LastIndexOf(')');
        return [text[..text.IndexOf(' ', StringComparison.Ordinal)], "comm", .. text[(close + 2)..].Split(' ')];
    }

    private static long Long(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
}
