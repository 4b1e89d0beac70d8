// Pipeline benchmark (issues 4, 13). For each kind of footage, in one run, on the same clip:
//   A. plain ffmpeg: libx264 (the pipeline's preset) straight to HLS, a keyframe per 3 s segment;
//   B. the bare ONNX detector on exactly the frames the pipeline analyses (DETECT_FPS 5), held decoded in memory
//      so that only detection is timed (decoding them is ffmpeg's work, counted in A's and C's decode);
//   C. `daprvideo process` as a child process, as a user runs it (peak RSS read from /proc while it runs).
// Prints a table per case: wall s, CPU s (user + system, children included), peak RSS, the 1-minute load average
// when the row started, and process / (plain + detector) by wall and by CPU. On a shared machine wall-clock figures
// swing with the load; the CPU ratio is the steadier one.
// Cases (clips made from the bundled photos panning, with temporal noise so the encoders have work):
//   mpeg4  768x576 10 fps MPEG-4 Part 2 (ffmpeg's mpeg4, -q:v 5 -g 20 -bf 0, AVI), like a street camera's recording;
//   h264   1280x720 25 fps H.264 (libx264 veryfast, a keyframe every 2 s, MP4);
//   hevc   1920x1080 30 fps HEVC (libx265 superfast, keyint=120: a 4 s GOP, closed as IP cameras send it, MP4);
//   hevc-open  the same with x265's default open GOP (frames before a keyframe refer across it: capture must encode).
// Usage: dotnet run -c Release --project bench/PipelineBench [-- --seconds 80 --cases mpeg4,h264,hevc
//        --cli path/to/daprvideo.dll --clips dir]
//   --cli   the CLI to time (default: the one built beside this benchmark), e.g. a ReadyToRun publish;
//   --clips keep the made clips in dir and reuse them on the next run (default: a temp folder, deleted).
// The live-latency part that used to be here is bench/LatencyBench.
using System.Diagnostics;
using System.Globalization;
using DaprVideo.Core.Video;
using DaprVideo.Media.Codec;
using DaprVideo.Media.Probing;
using DaprVideo.Onnx;

var seconds = 80;
var caseNames = new List<string> { "mpeg4", "h264", "hevc" };
string? cliArg = null;
string? clipsArg = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--cases": caseNames = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
        case "--cli": cliArg = Path.GetFullPath(args[++i]); break;
        case "--clips": clipsArg = Path.GetFullPath(args[++i]); break;
        default: throw new ArgumentException($"Unknown argument '{args[i]}' (usage: [--seconds 80] [--cases mpeg4,h264,hevc] [--cli daprvideo.dll] [--clips dir]).");
    }
}

const double detectFps = 5;
const double segmentSeconds = 3;
const string preset = "superfast"; // ENCODE_PRESET's default, the annotated segments' preset (with X264Presets.Overrides)
static string[] X264Params() => X264Presets.Overrides(preset) is { } overrides ? ["-x264-params", overrides] : [];
var footage = new Dictionary<string, Footage>
{
    ["mpeg4"] = new("MPEG-4 Part 2", 768, 576, 10, "avi", ["-c:v", "mpeg4", "-q:v", "5", "-g", "20", "-bf", "0"]),
    ["h264"] = new("H.264", 1280, 720, 25, "mp4", ["-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p"]),
    ["hevc"] = new("HEVC", 1920, 1080, 30, "mp4", ["-c:v", "libx265", "-preset", "superfast", "-x265-params", "keyint=120:min-keyint=120:open-gop=0:log-level=error", "-tag:v", "hvc1", "-pix_fmt", "yuv420p"]),
    ["hevc-open"] = new("HEVC, open GOP", 1920, 1080, 30, "mp4", ["-c:v", "libx265", "-preset", "superfast", "-x265-params", "keyint=120:min-keyint=120:log-level=error", "-tag:v", "hvc1", "-pix_fmt", "yuv420p"]),
};
foreach (var name in caseNames)
    if (!footage.ContainsKey(name)) throw new ArgumentException($"Unknown case '{name}': use {string.Join(", ", footage.Keys)}.");

var root = FindRoot();
var cli = cliArg ?? Path.Combine(AppContext.BaseDirectory, "daprvideo.dll");
if (!File.Exists(cli)) throw new FileNotFoundException($"No CLI at {cli}.");
var model = Path.Combine(root, "models", SsdModel.FileName);
var work = Directory.CreateTempSubdirectory("daprvideo-bench-").FullName;
var clips = clipsArg is null ? work : Directory.CreateDirectory(clipsArg).FullName;
var results = new List<(string Name, Row Plain, Row Bare, Row Process)>();
Console.WriteLine(Invariant($"{Environment.ProcessorCount} cores; {seconds} s per clip; DETECT_FPS {detectFps}, SEGMENT_SECONDS {segmentSeconds}, x264 {preset}; DETECTOR_THREADS {DetectorThreads()}; CLI {cli}"));
try
{
    foreach (var name in caseNames) results.Add(await RunCaseAsync(name, footage[name]));
}
finally
{
    Directory.Delete(work, recursive: true);
}

if (results.Count > 1)
{
    Console.WriteLine();
    Console.WriteLine("summary          plain s  detector s  process s   ratio wall   ratio CPU   process CPU s   peak RSS");
    foreach (var (name, a, b, c) in results)
        Console.WriteLine(Invariant($"  {name,-8}   {a.Wall,9:F1}   {b.Wall,9:F1}   {c.Wall,8:F1}   {c.Wall / (a.Wall + b.Wall),10:F2}   {c.Cpu / (a.Cpu + b.Cpu),9:F2}   {c.Cpu,13:F1}   {c.PeakRss / 1048576.0,5:F0} MB"));
    Console.WriteLine("  (goal: process <= 1.3x plain + detector on each case)");
}
return 0;

async Task<(string, Row, Row, Row)> RunCaseAsync(string name, Footage f)
{
    var clip = Path.Combine(clips, Invariant($"{name}-{seconds}s.{f.Extension}"));
    Console.WriteLine();
    if (!File.Exists(clip))
    {
        Console.WriteLine(Invariant($"making a {seconds} s {f.Width}x{f.Height} {f.Fps} fps {f.Codec} clip from the bundled photos..."));
        MakeClip(root, clip, f, seconds);
    }

    // A. plain ffmpeg transcode to HLS.
    var hls = Directory.CreateDirectory(Path.Combine(work, name + "-plain")).FullName;
    var plain = TimeChild("ffmpeg", ["-v", "error", "-y", "-i", clip, "-c:v", "libx264", "-preset", preset, .. X264Params(), "-g", Invariant($"{segmentSeconds * f.Fps}"),
        "-f", "hls", "-hls_time", Invariant($"{segmentSeconds}"), "-hls_playlist_type", "vod", Path.Combine(hls, "index.m3u8")]);

    // B. the bare detector.
    var (bare, analysed) = await BareDetectorAsync(clip);

    // C. the whole pipeline, as a user runs it.
    var process = TimeChild("dotnet", [cli, "process", clip, "--out", Path.Combine(work, name + "-out")]);

    var ratioWall = process.Wall / (plain.Wall + bare.Wall);
    var ratioCpu = process.Cpu / (plain.Cpu + bare.Cpu);
    Console.WriteLine(Invariant($"""
        case {name}: {seconds} s {f.Width}x{f.Height} @ {f.Fps} fps {f.Codec} ({string.Join(' ', f.Encoder)}); detector on {analysed} analysed frames
                                                    wall s     CPU s   peak RSS   load
          A  plain ffmpeg libx264 {preset} -> HLS  {plain.Wall,8:F2}  {plain.Cpu,8:F2}   {plain.PeakRss / 1048576.0,5:F0} MB   {plain.Load,4:F2}
          B  bare detector, analysed frames        {bare.Wall,8:F2}  {bare.Cpu,8:F2}          -   {bare.Load,4:F2}
          C  daprvideo process                     {process.Wall,8:F2}  {process.Cpu,8:F2}   {process.PeakRss / 1048576.0,5:F0} MB   {process.Load,4:F2}
          ratio C / (A + B)                        {ratioWall,8:F2}  {ratioCpu,8:F2}   (goal <= 1.3)
          real-time factor (clip / C) {seconds / process.Wall:F2}x; load average after {LoadAverage():F2}; peak RSS is the process alone (its ffmpeg children not included)
        """));
    return (name, plain, bare, process);
}

// Decodes the clip as the pipeline's decoder does (MPEG-TS bytes -> I420), keeps the frames the pipeline analyses
// (the first frame of each 1/DETECT_FPS slot of the timeline), then times only the detector on them, in batches of
// BATCH_SIZE 4, after one untimed warm-up batch (first-run allocations, JIT).
async Task<(Row, int)> BareDetectorAsync(string clip)
{
    var ts = Path.Combine(work, Path.GetFileNameWithoutExtension(clip) + ".ts");
    Run("ffmpeg", ["-v", "error", "-y", "-i", clip, "-c", "copy", ts]);
    var bytes = await File.ReadAllBytesAsync(ts);
    File.Delete(ts);
    var format = (await new VideoProbe().ProbeAsync(bytes)).Format;
    var frames = new List<DecodedFrame>();
    var lastSlot = -1.0;
    await foreach (var frame in new FrameDecoder().DecodeAsync(bytes, format, PixelFormat.I420))
    {
        var slot = Math.Floor(frame.Index / format.FrameRate.FramesPerSecond * detectFps + 1e-6);
        if (slot == lastSlot) { frame.Dispose(); continue; }
        lastSlot = slot;
        frames.Add(frame);
    }
    try
    {
        using var detector = new OnnxObjectDetector(new OnnxDetectorOptions { ModelPath = model, IntraOpThreads = DetectorThreads() });
        detector.Detect([.. frames.Take(4).Select(f => f.AsImageFrame())]);
        var load = LoadAverage();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (var batch in frames.Chunk(4)) detector.Detect([.. batch.Select(f => f.AsImageFrame())]);
        clock.Stop();
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return (new Row(clock.Elapsed.TotalSeconds, cpuSeconds, 0, load), frames.Count);
    }
    finally
    {
        frames.ForEach(f => f.Dispose());
    }
}

static void MakeClip(string root, string clip, Footage f, int seconds)
{
    var photos = new[] { "astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png" }.Select(p => Path.Combine(root, "assets", "photos", p)).ToList();
    var each = (seconds / (double)photos.Count).ToString(CultureInfo.InvariantCulture);
    var (w, h) = (f.Width, f.Height);
    // Scaled 9/8 of the frame, then a crop panning sideways: the picture moves all the time, as in a street scene.
    var filters = string.Concat(photos.Select((_, i) => Invariant(
        $"[{i}]scale={w * 9 / 8}:{h * 9 / 8}:force_original_aspect_ratio=increase,crop={w}:{h}:'(iw-{w})/2+(iw-{w})/2*sin(t)':'(ih-{h})/2',setsar=1,fps={f.Fps},noise=alls=6:allf=t[v{i}];")));
    var partial = clip + ".part." + f.Extension;
    Run("ffmpeg", ["-v", "error", "-y", .. photos.SelectMany(p => new[] { "-loop", "1", "-framerate", Invariant($"{f.Fps}"), "-t", each, "-i", p }),
        "-filter_complex", filters + string.Concat(photos.Select((_, i) => $"[v{i}]")) + $"concat=n={photos.Count}:v=1",
        .. f.Encoder, partial]);
    File.Move(partial, clip, overwrite: true);
}

// DETECTOR_THREADS as the CLI reads it, so the bare run matches C.
static int DetectorThreads() => int.TryParse(Environment.GetEnvironmentVariable("DETECTOR_THREADS"), CultureInfo.InvariantCulture, out var t) ? t : 0;

// CPU time of this process's waited-for children and their descendants (fields 16 and 17 of /proc/self/stat, in clock ticks).
static double ChildrenCpu()
{
    var stat = File.ReadAllText("/proc/self/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
}

static double LoadAverage() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

static void Run(string exe, string[] arguments)
{
    var psi = new ProcessStartInfo(exe) { RedirectStandardError = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} failed: {err}");
}

// Runs a child to its end: wall time, CPU of it and its descendants, its own peak RSS (VmHWM, polled), the load when it started.
static Row TimeChild(string exe, string[] arguments)
{
    var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    var load = LoadAverage();
    var cpu = ChildrenCpu();
    var sw = Stopwatch.StartNew();
    using var p = Process.Start(psi)!;
    var output = p.StandardOutput.ReadToEndAsync();
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
    if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} failed: {err.Result}{output.Result}");
    return new Row(sw.Elapsed.TotalSeconds, ChildrenCpu() - cpu, peak, load);
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DaprVideo.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run from inside the repository.");
}

/// <summary>A kind of footage: codec, size, rate, container and the ffmpeg encoder arguments that make it.</summary>
internal sealed record Footage(string Codec, int Width, int Height, int Fps, string Extension, string[] Encoder);

/// <summary>One measured row: wall and CPU seconds, peak RSS in bytes (0: not measured), 1-minute load average at its start.</summary>
internal sealed record Row(double Wall, double Cpu, long PeakRss, double Load);
