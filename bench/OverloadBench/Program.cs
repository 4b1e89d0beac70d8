// Overload and capacity benchmark (issues 12, 13): N live 768x576 10 fps cameras through one embedded `serve` with the
// shipped ONNX detector at DETECT_FPS 5, for a while, for each N given: a capacity curve.
// Cameras: ffmpeg testsrc captured in real time (its H.264 encoding runs on this machine too, as in issue 12's figure),
// or with --clip a recording of the bundled photos panning, longer than the run, played at its own rate as a live camera:
//   --clip mpeg4 (the default of --clip) MPEG-4 Part 2, -q:v 5 -g 20 -bf 0 in AVI, like a street camera's recording
//                (ingest copies its chunks, as it does a real MPEG-4 camera's);
//   --clip h264  H.264 with a keyframe every 3 s (ingest copies its chunks, no encoding on the capture side);
//   --clip FILE  a file of your own (e.g. a real 768x576 10 fps recording), at least as long as the run.
// --ramp S adds the cameras one every S seconds, each through the admission check POST /api/streams makes, as a user
// adding cameras would: a refused camera is counted and not retried; the window is measured after the last one.
// Two modes, each run in a fresh child process so that every point has its own peak RSS and no leftovers:
//   adaptive  the overload controller on (DETECT_FPS_MIN 1, the default): video stays real time, the analysis rate drops;
//   pinned    DETECT_FPS_MIN = DETECT_FPS: the rate cannot drop, so a stream keeps up only if every stream gets 5 fps.
// Per run: per stream the seconds of video listed per wall second over the measured window (1.00 = real time), the lag
// of its last listed segment, its analysis rate, its state; whether the N+1th POST /api/streams got 503. Then the curve:
// per mode and N, min / median media s/s across streams, mean analysed fps, cores busy, the process's peak RSS and its
// ffmpeg children's RSS, the load average. On a shared machine wall-clock figures swing with the load.
// Usage: dotnet run -c Release --project bench/OverloadBench [-- [--seconds 60] [--mode both|adaptive|pinned] [--clip [mpeg4|h264|FILE]] [--preset P] [N ...]]
//   (default N: 4 8 16; --fixed is --mode pinned)   e.g. -- --seconds 40 --clip --mode pinned 4 6 8 10
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Embedded;
using DaprVideo.Embedded.Commands;
using DaprVideo.Ingest;
using DaprVideo.Onnx;
using DaprVideo.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

DaprVideo.Media.NativeHeap.Configure(); // as the hosts do, first thing
var seconds = 60;
var modes = new List<string> { "adaptive", "pinned" };
string? clipArg = null;
var preset = SettingsCatalogue.EncodePreset.Default;
var ramp = 0.0;
int? child = null;
var counts = new List<int>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--fixed": modes = ["pinned"]; break;
        case "--mode":
            var mode = args[++i];
            modes = mode == "both" ? ["adaptive", "pinned"] : mode is "adaptive" or "pinned" ? [mode]
                : throw new ArgumentException($"Unknown mode '{mode}': use both, adaptive or pinned.");
            break;
        case "--clip":
            clipArg = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) && !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out _)
                ? args[++i] : "mpeg4";
            break;
        case "--preset": preset = args[++i]; break;
        case "--ramp": ramp = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--child": child = int.Parse(args[++i], CultureInfo.InvariantCulture); break; // internal: one measured run
        default: counts.Add(int.Parse(args[i], CultureInfo.InvariantCulture)); break;
    }
}
if (counts.Count == 0) counts = [4, 8, 16];

const double segmentSeconds = 3;
const double detectFps = 5;
const double floorFps = 1;
const string camera = "testsrc:size=768x576:rate=10";
var root = FindRoot();
var model = Path.Combine(root, "models", SsdModel.FileName);

if (child is { } childCount)
{
    // The child: one run of N cameras in this process; clipArg is then the clip's path (or absent for testsrc).
    var work = Directory.CreateTempSubdirectory("daprvideo-overload-").FullName;
    try { await RunAsync(childCount, modes[0] == "pinned", clipArg); }
    finally
    {
        try { Directory.Delete(work, recursive: true); }
        catch (IOException) { /* an ffmpeg child may still be closing a file; the temp cleaner gets it */ }
    }
    return 0;

    async Task RunAsync(int n, bool pinned, string? clip)
    {
        var data = Path.Combine(work, $"n{n}");
        var settings = new PipelineSettings(segmentSeconds, detectFps, BatchSize: 4, BatchTimeoutMs: 20, Debug: false,
            new DetectorSettings(model, Threads: 0, ScoreThreshold: 0.5f), DetectFpsMin: pinned ? detectFps : floorFps)
            { EncodePreset = preset };
        var ingest = new IngestOptions { SegmentSeconds = segmentSeconds, MaxStreams = 1000, ScratchDirectory = Path.Combine(data, ".scratch") };
        var load0 = LoadAverage();
        await using var app = await ServeCommand.BuildAsync(settings, ingest, data, "127.0.0.1", 0, LogLevel.Warning);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        var ids = new List<string>();
        var refusals = new List<string>();
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= n; i++)
        {
            var id = $"cam{i:D2}";
            await Until((i - 1) * ramp);
            if (clip is not null)
            {
                // A file played as a live camera: not a choice the HTTP API offers, so the API's admission check is made here.
                if (ramp > 0 && await app.Services.GetRequiredService<IAdmissionSignal>().CheckAsync() is { } refusal)
                {
                    refusals.Add(Invariant($"{id} at {clock.Elapsed.TotalSeconds:F0} s: {refusal.Message}"));
                    continue;
                }
                await app.Services.GetRequiredService<StreamCaptures>().StartAsync(StreamId.Parse(id), VideoSource.Parse(clip), simulateLive: true);
            }
            else
            {
                var created = await http.PostAsJsonAsync("/api/streams", new { id, source = camera });
                if ((int)created.StatusCode == 503 && ramp > 0)
                {
                    refusals.Add(Invariant($"{id} at {clock.Elapsed.TotalSeconds:F0} s: {(await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()}"));
                    continue;
                }
                if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"POST {id}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            }
            ids.Add(id);
        }
        clock.Restart();

        await Until(Warmup(seconds));
        var first = await SampleAsync(http, ids);
        var cpu1 = Cpu.Sample();
        var t1 = clock.Elapsed.TotalSeconds;
        // Media listed grows a segment at a time, so two samples alone are off by up to a segment: the speed is the slope
        // of a least-squares line through samples every 2 s (a 60 s window then reads 1.00 +- 0.01 for a stream that keeps up).
        var series = ids.ToDictionary(id => id, _ => new List<(double T, double Media)>());
        void Record(Dictionary<string, (double Media, double Lag, List<double?> Rates, string State, int Gaps)> sample, double t)
        {
            foreach (var id in ids) series[id].Add((t, sample[id].Media));
        }
        Record(first, t1);
        while (clock.Elapsed.TotalSeconds < seconds - 2)
        {
            await Until(clock.Elapsed.TotalSeconds + 2);
            Record(await SampleAsync(http, ids), clock.Elapsed.TotalSeconds);
        }
        await Until(seconds);
        var last = await SampleAsync(http, ids);
        Record(last, clock.Elapsed.TotalSeconds);
        var cpu2 = Cpu.Sample();
        var t2 = clock.Elapsed.TotalSeconds;
        var gaps = ids.Sum(id => last[id].Gaps);
        var extra = await http.PostAsJsonAsync("/api/streams", new { id = "extra", source = camera });
        var extraText = (int)extra.StatusCode == 503
            ? $"503, Retry-After {extra.Headers.RetryAfter?.Delta?.TotalSeconds} s: {(await extra.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()}"
            : $"{(int)extra.StatusCode} (admitted)";
        var controller = app.Services.GetRequiredService<EmbeddedPipeline>().Analysis!.Load();
        var load1 = LoadAverage();

        Console.WriteLine();
        Console.WriteLine(Invariant($"N = {n}, {(pinned ? "pinned at 5 fps" : "adaptive")}: load average {load0:F1} -> {load1:F1}; controller rate {controller.RateFps} fps, lag {controller.LagSeconds:F1} s, growth {controller.LagGrowth:F2} s/s, {controller.State}"));
        var (total, capture) = (cpu2.Total - cpu1.Total, cpu2.Capture - cpu1.Capture);
        var video = ids.Sum(id => last[id].Media - first[id].Media);
        Console.WriteLine(Invariant($"  CPU of this process and its ffmpeg children: {total / (t2 - t1):F2} cores busy, of which capture {capture / (t2 - t1):F2}; {(video > 0 ? ((total - capture) / video).ToString("F3", CultureInfo.InvariantCulture) : "n/a (none listed)")} core-s per second of video annotated (capture excluded)"));
        Console.WriteLine("  stream  video s / wall s   lag (s)   analysed fps (latest, window mean)   state");
        var speeds = new List<double>();
        var rates = new List<double>();
        foreach (var id in ids)
        {
            var speed = Slope(series[id]);
            speeds.Add(speed);
            var window = last[id].Rates.Skip(first[id].Rates.Count).Where(r => r is not null).Select(r => r!.Value).ToList();
            var mean = window.Count > 0 ? window.Average() : double.NaN;
            if (window.Count > 0) rates.Add(mean);
            Console.WriteLine(Invariant($"  {id}   {speed,10:F2}        {last[id].Lag,7:F1}   {last[id].Rates.LastOrDefault(),6}  {mean,6:F2}                       {last[id].State}"));
        }
        Console.WriteLine(Invariant($"  all     {speeds.Min():F2} .. {speeds.Max():F2} (mean {speeds.Average():F2})"));
        if (ramp > 0)
        {
            Console.WriteLine(Invariant($"  admitted {ids.Count} of {n} cameras (one every {ramp} s); refused:"));
            foreach (var r in refusals) Console.WriteLine($"    {r}");
        }
        Console.WriteLine($"  missing segments in the admitted streams' timelines: {gaps}");
        Console.WriteLine($"  stream {n + 1}: {extraText}");
        var peakRss = Rss.PeakOfSelf();
        var ffmpegRss = Rss.OfChildren();
        // Where the memory is: the managed heap (peak of the GC's committed bytes is not kept, so now) and the rest.
        var gc = GC.GetGCMemoryInfo();
        Console.WriteLine(Invariant($"  memory now: RSS {Rss.OfSelf() / 1048576.0:F0} MB, of which GC committed {gc.TotalCommittedBytes / 1048576.0:F0} MB (heap {gc.HeapSizeBytes / 1048576.0:F0} MB); peak RSS {peakRss / 1048576.0:F0} MB"));

        // The line the parent reads for the curve, before the teardown (which measures nothing).
        Console.WriteLine(Invariant($"point {ids.Count}/{n} {(pinned ? "pinned" : "adaptive")} {speeds.Min():F3} {Median(speeds):F3} {(rates.Count > 0 ? rates.Average() : double.NaN):F2} {total / (t2 - t1):F2} {peakRss / 1048576.0:F0} {ffmpegRss / 1048576.0:F0} {load0:F1} {load1:F1}"));

        // Stop the cameras and the host in order (the backlog is abandoned: this is a measurement, not a recording).
        foreach (var id in ids.Append("extra")) await http.DeleteAsync($"/api/streams/{id}");
        await app.StopAsync();


        async Task Until(double at)
        {
            var wait = TimeSpan.FromSeconds(at) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait); // the benchmark's measuring window
        }
    }
}

// The parent: makes the clip once, runs each (mode, N) in a child, prints the curve.
var clipsDir = Directory.CreateTempSubdirectory("daprvideo-overload-clip-").FullName;
try
{
    var clipPath = clipArg switch
    {
        null => null,
        "mpeg4" => MakeClip(root, clipsDir, "mpeg4", ClipSeconds()),
        "h264" => MakeClip(root, clipsDir, "h264", ClipSeconds()),
        _ => File.Exists(clipArg) ? Path.GetFullPath(clipArg) : throw new FileNotFoundException($"No clip '{clipArg}' (use mpeg4, h264 or a file)."),
    };
    var cameras = clipPath is null ? camera : clipArg is "mpeg4" or "h264" ? $"a 768x576 10 fps {clipArg} clip played live" : $"{clipPath} played live";
    Console.WriteLine(Invariant($"{Environment.ProcessorCount} cores; cameras {cameras}; SEGMENT_SECONDS {segmentSeconds}, DETECT_FPS {detectFps}, ENCODE_PRESET {preset}; modes {string.Join(", ", modes)}; {seconds} s per run{(ramp > 0 ? $" after a camera every {ramp} s" : "")}, video rate measured from {Warmup(seconds):F0} s on"));
    var points = new List<string[]>();
    foreach (var mode in modes)
        foreach (var n in counts)
            points.Add(RunChild(n, mode, clipPath));

    Console.WriteLine();
    Console.WriteLine($"capacity curve ({cameras}, DETECT_FPS {detectFps}, {seconds} s runs):");
    Console.WriteLine("  mode       N (admitted/asked)   media s/s min  median   analysed fps   cores busy   peak RSS   ffmpeg RSS   load avg");
    foreach (var p in points)
        Console.WriteLine($"  {p[1],-8} {p[0],7}              {p[2],13}  {p[3],6}   {p[4],12}   {p[5],10}   {p[6],5} MB   {p[7],7} MB   {p[8]} -> {p[9]}");
    Console.WriteLine("  (real time: media s/s >= 0.97 for every stream; RSS goal <= 600 MB for the process)");
}
finally
{
    Directory.Delete(clipsDir, recursive: true);
}
return 0;

// Longer than any run (ramp, then the run, then the teardown): a looped file would measure its loop, not the pipeline.
int ClipSeconds() => (int)Math.Ceiling(counts.Max() * ramp + seconds + 30);

string[] RunChild(int n, string mode, string? clipPath)
{
    // Re-run this benchmark as `--child N`: through the apphost, or through dotnet when started as `dotnet OverloadBench.dll`.
    var self = Environment.ProcessPath!;
    var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(Cpu).Assembly.Location);
    foreach (var a in new[] { "--child", n.ToString(CultureInfo.InvariantCulture), "--mode", mode, "--seconds", seconds.ToString(CultureInfo.InvariantCulture), "--preset", preset, "--ramp", ramp.ToString(CultureInfo.InvariantCulture) })
        psi.ArgumentList.Add(a);
    if (clipPath is not null) { psi.ArgumentList.Add("--clip"); psi.ArgumentList.Add(clipPath); }
    using var p = Process.Start(psi)!;
    string[]? point = null;
    while (p.StandardOutput.ReadLine() is { } line)
    {
        if (line.StartsWith("point ", StringComparison.Ordinal)) point = line.Split(' ')[1..];
        else Console.WriteLine(line);
    }
    p.WaitForExit();
    if (point is null) throw new InvalidOperationException($"The run of N = {n} ({mode}) failed (exit code {p.ExitCode}).");
    // Measured, then failed while stopping: the figures stand, the failure is the host's to fix.
    if (p.ExitCode != 0) Console.WriteLine($"  (N = {n}, {mode}: measured, but the child failed while stopping, exit code {p.ExitCode})");
    return point;
}

static async Task<Dictionary<string, (double Media, double Lag, List<double?> Rates, string State, int Gaps)>> SampleAsync(HttpClient http, List<string> ids)
{
    var sample = new Dictionary<string, (double, double, List<double?>, string, int)>();
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
        // Nothing lost: the timeline's segment numbers run from its first to its last without a hole.
        var numbers = timeline.Select(t => t.GetProperty("segment").GetInt64()).ToList();
        var gaps = numbers.Count == 0 ? 0 : (int)(numbers.Max() - numbers.Min() + 1 - numbers.Distinct().Count());
        sample[id] = (media, lag, rates, status.GetProperty("state").GetString()!, gaps);
    }
    return sample;
}

// The bundled photos panning (as PipelineBench's clips) with temporal noise, 768x576 10 fps:
// mpeg4 as /work/clips/street576.avi was made; h264 with a keyframe every 3 s, so its chunks are copied.
static string MakeClip(string root, string dir, string codec, int seconds)
{
    var clip = Path.Combine(dir, codec == "mpeg4" ? "camera.avi" : "camera.mp4");
    var photos = new[] { "astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png" }.Select(p => Path.Combine(root, "assets", "photos", p)).ToList();
    var each = (seconds / (double)photos.Count).ToString(CultureInfo.InvariantCulture);
    var args = new List<string> { "-v", "error", "-y" };
    foreach (var photo in photos) args.AddRange(["-loop", "1", "-framerate", "10", "-t", each, "-i", photo]);
    var filters = string.Concat(photos.Select((_, i) =>
        $"[{i}]scale=900:675:force_original_aspect_ratio=increase,crop=768:576:'(iw-768)/2+(iw-768)/2*sin(t)':'(ih-576)/2',setsar=1,fps=10,noise=alls=6:allf=t[v{i}];"));
    args.AddRange(["-filter_complex", filters + string.Concat(photos.Select((_, i) => $"[v{i}]")) + $"concat=n={photos.Count}:v=1"]);
    args.AddRange(codec == "mpeg4"
        ? ["-c:v", "mpeg4", "-q:v", "5", "-g", "20", "-bf", "0"]
        : ["-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p"]);
    args.Add(clip);
    var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
    foreach (var a in args) psi.ArgumentList.Add(a);
    using var ffmpeg = Process.Start(psi)!;
    var error = ffmpeg.StandardError.ReadToEnd();
    ffmpeg.WaitForExit();
    if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the clip: {error}");
    return clip;
}

static double Slope(List<(double T, double Y)> points)
{
    var (mt, my) = (points.Average(p => p.T), points.Average(p => p.Y));
    return points.Sum(p => (p.T - mt) * (p.Y - my)) / points.Sum(p => (p.T - mt) * (p.T - mt));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
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
        var self = Proc.Fields("/proc/self/stat");
        // Own time plus exited (waited-for) children, plus the children alive now.
        var total = (Proc.Long(self, 13) + Proc.Long(self, 14) + Proc.Long(self, 15) + Proc.Long(self, 16)) / Tick;
        var capture = 0.0;
        foreach (var dir in Proc.Children())
        {
            try
            {
                var stat = Proc.Fields(Path.Combine(dir, "stat"));
                var seconds = (Proc.Long(stat, 13) + Proc.Long(stat, 14)) / Tick;
                total += seconds;
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("segment_list", StringComparison.Ordinal)) capture += seconds;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // it exited while being read
            }
        }
        return (total, capture);
    }
}

/// <summary>Resident memory from /proc: this process's peak (VmHWM), its live children's current total (VmRSS).</summary>
internal static class Rss
{
    public static long PeakOfSelf() => Kilobytes("/proc/self/status", "VmHWM:") * 1024;

    public static long OfSelf() => Kilobytes("/proc/self/status", "VmRSS:") * 1024;

    public static long OfChildren()
    {
        var sum = 0L;
        foreach (var dir in Proc.Children())
        {
            try { sum += Kilobytes(Path.Combine(dir, "status"), "VmRSS:") * 1024; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* it exited while being read */ }
        }
        return sum;
    }

    private static long Kilobytes(string status, string field) =>
        File.ReadLines(status).Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
}

internal static class Proc
{
    /// <summary>The /proc folders of this process's live children.</summary>
    public static IEnumerable<string> Children()
    {
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!char.IsAsciiDigit(Path.GetFileName(dir)[0])) continue;
            string[] stat;
            try { stat = Fields(Path.Combine(dir, "stat")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException) { continue; }
            if (stat[3] == pid) yield return dir;
        }
    }

    // stat's fields 0-based as proc(5) numbers them from 1: [0] pid, [1] comm (may hold spaces: cut out), [2] state, [3] ppid, [13] utime.
    public static string[] Fields(string path)
    {
        var text = File.ReadAllText(path);
        var close = text.LastIndexOf(')');
        return [text[..text.IndexOf(' ', StringComparison.Ordinal)], "comm", .. text[(close + 2)..].Split(' ')];
    }

    public static long Long(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
}
