// Pipeline benchmark (issue 4). In one run, on the same >= 60 s 720p clip:
//   A. plain ffmpeg: libx264 (same preset as the pipeline) straight to HLS;
//   B. the bare detector on exactly the frames the pipeline analyses (DETECT_FPS);
//   C. `daprvideo process` as a child process (peak RSS read from /proc while it runs).
// Prints process / (A + B), the real-time factor, peak RSS, then a live run (testsrc in real
// time through the embedded pipeline) measuring when each segment shows in live.m3u8 after its
// chunk's last frame, at each live size given. On a shared machine wall-clock figures swing with the
// load, so CPU seconds (user + system, children included) are printed too: their ratio is steadier.
// Usage: dotnet run -c Release --project bench/PipelineBench [-- seconds [WxH ...]]
// (default live sizes 1280x720 640x360; seconds 0 skips the throughput part, a size of 0 the live part)
using System.Diagnostics;
using System.Globalization;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Embedded;
using DaprVideo.Media.Capture;
using DaprVideo.Media.Codec;
using DaprVideo.Media.Probing;
using DaprVideo.Onnx;

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
var liveSizes = args.Length > 1 ? args[1..].Where(a => a != "0").ToArray() : ["1280x720", "640x360"];
var root = FindRoot();
var work = Directory.CreateTempSubdirectory("daprvideo-bench-").FullName;
var cli = Path.Combine(AppContext.BaseDirectory, "daprvideo.dll");
var model = Path.Combine(root, "models", SsdModel.FileName);
const double detectFps = 5;
const string preset = "veryfast";
try
{
    if (seconds > 0) await ThroughputAsync();
    foreach (var size in liveSizes) await LiveLatencyAsync(work, model, size);
}
finally
{
    Directory.Delete(work, recursive: true);
}
return 0;

async Task ThroughputAsync()
{
    var clip = Path.Combine(work, "clip.mp4");
    Console.WriteLine($"making a {seconds} s 1280x720 25 fps clip from the bundled photos (moving, so the encoder has work)...");
    var photos = new[] { "astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png" }.Select(p => Path.Combine(root, "assets", "photos", p)).ToList();
    var each = seconds / (double)photos.Count;
    var inputs = photos.SelectMany(p => new[] { "-loop", "1", "-framerate", "25", "-t", each.ToString(CultureInfo.InvariantCulture), "-i", p });
    var filters = string.Concat(photos.Select((_, i) => string.Create(CultureInfo.InvariantCulture,
        $"[{i}]scale=1440:810:force_original_aspect_ratio=increase,crop=1280:720:'(iw-1280)/2+(iw-1280)/2*sin(t)':'(ih-720)/2',setsar=1,fps=25,noise=alls=6:allf=t[v{i}];")));
    Run("ffmpeg", ["-v", "error", "-y", .. inputs, "-filter_complex", filters + string.Concat(photos.Select((_, i) => $"[v{i}]")) + $"concat=n={photos.Count}:v=1",
        "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p", clip]);

    // A. plain ffmpeg transcode to HLS.
    var hls = Directory.CreateDirectory(Path.Combine(work, "plain")).FullName;
    var childCpu = ChildrenCpu();
    var ffmpeg = Time(() => Run("ffmpeg", ["-v", "error", "-y", "-i", clip, "-c:v", "libx264", "-preset", preset, "-g", "75",
        "-f", "hls", "-hls_time", "3", "-hls_playlist_type", "vod", Path.Combine(hls, "index.m3u8")]));
    var ffmpegCpu = ChildrenCpu() - childCpu;

    // B. the bare detector on the analysed frames (as the pipeline hands them over: I420), in batches of
    // BATCH_SIZE; only the Detect calls are timed, after one warm-up call (first-run allocations, JIT).
    var ts = Path.Combine(work, "clip.ts");
    Run("ffmpeg", ["-v", "error", "-y", "-i", clip, "-c", "copy", ts]);
    var decoder = new FrameDecoder();
    var bytes = await File.ReadAllBytesAsync(ts);
    var format = (await new VideoProbe().ProbeAsync(bytes)).Format;
    var stride = (int)Math.Round(format.FrameRate.FramesPerSecond / detectFps);
    using var detector = new OnnxObjectDetector(new OnnxDetectorOptions { ModelPath = model, IntraOpThreads = DetectorThreads() });
    var bareTimer = new Stopwatch();
    var bareCpu = TimeSpan.Zero;
    var warm = false;
    var pending = new List<DecodedFrame>();
    await foreach (var frame in decoder.DecodeAsync(bytes, format, PixelFormat.I420))
    {
        if (frame.Index % stride != 0) { frame.Dispose(); continue; }
        if (!warm)
        {
            detector.Detect([frame.AsImageFrame(), frame.AsImageFrame(), frame.AsImageFrame(), frame.AsImageFrame()]);
            warm = true;
        }
        pending.Add(frame);
        if (pending.Count < 4) continue;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        bareTimer.Start();
        detector.Detect([.. pending.Select(f => f.AsImageFrame())]);
        bareTimer.Stop();
        bareCpu += Process.GetCurrentProcess().TotalProcessorTime - cpu;
        pending.ForEach(f => f.Dispose());
        pending.Clear();
    }
    pending.ForEach(f => f.Dispose());
    var bare = bareTimer.Elapsed;

    // C. the whole pipeline, as a user runs it.
    childCpu = ChildrenCpu();
    var (process, peakRss) = TimeProcess("dotnet", [cli, "process", clip, "--out", Path.Combine(work, "out")]);
    var processCpu = ChildrenCpu() - childCpu;

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
        clip: {seconds} s 1280x720 @ {format.FrameRate.FramesPerSecond:F0} fps; detector on {(int)(seconds * detectFps)} analysed frames (DETECT_FPS {detectFps})
                                                   wall      CPU (user+sys, children included)
        A  plain ffmpeg libx264 {preset} -> HLS   {ffmpeg.TotalSeconds,7:F2} s  {ffmpegCpu.TotalSeconds,7:F2} s
        B  bare detector, analysed frames         {bare.TotalSeconds,7:F2} s  {bareCpu.TotalSeconds,7:F2} s
        C  daprvideo process                      {process.TotalSeconds,7:F2} s  {processCpu.TotalSeconds,7:F2} s
        overhead ratio  C / (A + B) = {process / (ffmpeg + bare):F3}   (goal <= 1.0);  CPU ratio {processCpu / (ffmpegCpu + bareCpu):F3}
        real-time factor (clip / C) = {seconds / process.TotalSeconds:F2}x
        peak RSS of the process     = {peakRss / 1024.0 / 1024:F0} MB   (goal <= 500 MB; ffmpeg children not included)
        """));
}

static async Task LiveLatencyAsync(string work, string model, string size)
{
    // A live test pattern captured in real time; a segment's latency is when live.m3u8 first lists it
    // minus the wall-clock time of its chunk's last frame (chunk start + duration).
    const int chunks = 12;
    var settings = new PipelineSettings(3, 5, 4, 20, false, new DetectorSettings(model, DetectorThreads(), 0.5f));
    var data = Path.Combine(work, "live-" + size);
    await using var pipeline = new EmbeddedPipeline(settings, data, vodOnly: false);
    var id = StreamId.Parse("live");
    var lastFrame = new Dictionary<long, DateTimeOffset>();
    var listed = new Dictionary<long, DateTimeOffset>();
    var capture = new ChunkCapture(VideoSource.Parse($"testsrc:size={size}:rate=25"), Directory.CreateDirectory(Path.Combine(work, "scratch-" + size)).FullName,
        new ChunkCaptureOptions { SegmentSeconds = 3, Transcode = TranscodeMode.Always });
    using var stop = new CancellationTokenSource();
    var published = new Dictionary<long, DateTimeOffset>();
    var ingest = pipeline.Ingestor.IngestAsync(id, capture.CaptureAsync(cancellationToken: stop.Token), c =>
    {
        lock (lastFrame)
        {
            lastFrame[c.Sequence] = c.Start.AddSeconds(c.DurationSeconds);
            published[c.Sequence] = DateTimeOffset.UtcNow;
        }
    }, cancellationToken: stop.Token);

    var live = pipeline.Store.PathOf(ObjectKeys.Playlist(id, "live.m3u8"));
    while (listed.Count < chunks)
    {
        if (File.Exists(live))
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var line in File.ReadAllLines(live).Where(l => l.StartsWith("segments/", StringComparison.Ordinal)))
                listed.TryAdd(long.Parse(line.AsSpan(9, 6), CultureInfo.InvariantCulture), now);
        }
        await Task.Delay(20); // sampling interval of the observer
    }
    await stop.CancelAsync();
    try { await ingest; } catch (OperationCanceledException) { }

    // The first chunk waits for the encoder's start-up; steady state is what a viewer lives with.
    var latencies = listed.Where(kv => kv.Key > 0 && lastFrame.ContainsKey(kv.Key))
        .Select(kv => (kv.Value - lastFrame[kv.Key]).TotalSeconds).Order().ToList();
    // Split: capture (ffmpeg closes the chunk, ingest stores and publishes it) and the pipeline after that.
    var capturing = listed.Where(kv => kv.Key > 0 && published.ContainsKey(kv.Key)).Select(kv => (published[kv.Key] - lastFrame[kv.Key]).TotalSeconds).Order().ToList();
    var processing = listed.Where(kv => kv.Key > 0 && published.ContainsKey(kv.Key)).Select(kv => (kv.Value - published[kv.Key]).TotalSeconds).Order().ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  of which capture until published p50 {Percentile(capturing, 0.5):F2} s; published -> listed p50 {Percentile(processing, 0.5):F2} s, p95 {Percentile(processing, 0.95):F2} s"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"live latency, last frame of a chunk -> listed in live.m3u8 ({latencies.Count} segments, 3 s, {size}): p50 {Percentile(latencies, 0.5):F2} s, p95 {Percentile(latencies, 0.95):F2} s, max {latencies[^1]:F2} s (goal p95 <= 1 s)"));
}

// DETECTOR_THREADS as the CLI reads it, so the bare run and the live run match C.
static int DetectorThreads() => int.TryParse(Environment.GetEnvironmentVariable("DETECTOR_THREADS"), CultureInfo.InvariantCulture, out var t) ? t : 0;

// CPU time of this process's waited-for children and their descendants (fields 16 and 17 of /proc/self/stat, in clock ticks).
static TimeSpan ChildrenCpu()
{
    var stat = File.ReadAllText("/proc/self/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    var ticks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
    return TimeSpan.FromSeconds(ticks / 100.0);
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static TimeSpan Time(Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed;
}

static void Run(string exe, string[] arguments)
{
    var psi = new ProcessStartInfo(exe) { RedirectStandardError = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} failed: {err}");
}

static (TimeSpan Elapsed, long PeakRss) TimeProcess(string exe, string[] arguments)
{
    var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    var sw = Stopwatch.StartNew();
    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEndAsync();
    var peak = 0L;
    while (!p.WaitForExit(50))
    {
        try
        {
            var hwm = File.ReadLines($"/proc/{p.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (hwm is not null) peak = Math.Max(peak, long.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
        }
        catch (IOException) { /* exited between the check and the read */ }
    }
    sw.Stop();
    if (p.ExitCode != 0) throw new InvalidOperationException($"process failed: {err.Result}");
    return (sw.Elapsed, peak);
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DaprVideo.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run from inside the repository.");
}
