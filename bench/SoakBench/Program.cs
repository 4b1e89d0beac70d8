// Soak benchmark (issue 12). One live RTSP camera (GStreamer's RTSP server, tests/infra/rtsp) into a real
// `daprvideo serve` process with retention on, for several minutes. Every sample prints the serve process's RSS
// (and its ffmpeg children's), open file descriptors, bytes under the data folder, the live and full playlists'
// lengths and the media seconds listed; at the end, the second half's slopes: what "flat" and "bounded" mean here.
// Usage: dotnet run -c Release --project bench/SoakBench [-- minutes [retention] [sampleSeconds]]
// (defaults 10 minutes, retention 2m, a sample every 20 s; needs /usr/bin/python3 with gst-rtsp-server and ffmpeg)
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

var minutes = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var retention = args.Length > 1 ? args[1] : "2m";
var sampleEvery = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 20);
var root = FindRoot();
var data = Directory.CreateTempSubdirectory("daprvideo-soak-").FullName;
var cli = Path.Combine(AppContext.BaseDirectory, "daprvideo.dll");

var rtspPort = FreePort();
using var camera = Start("/usr/bin/python3", [Path.Combine(root, "tests", "infra", "rtsp", "rtsp-test-server.py"),
    "--port", rtspPort.ToString(CultureInfo.InvariantCulture), "--size", "768x576", "--rate", "10", "--keyframe-seconds", "1"], []);
await WaitForLineAsync(camera, "RTSP server ready", TimeSpan.FromSeconds(30));

var httpPort = FreePort();
using var serve = Start("dotnet", [cli, "serve", "--port", httpPort.ToString(CultureInfo.InvariantCulture), "--data", data],
    new() { ["RETENTION_MAX_AGE"] = retention, ["LOG_LEVEL"] = "Warning" });
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
await UntilAsync(async () => (await TryGetAsync(http, "api/streams")) is not null, TimeSpan.FromSeconds(60), "serve to answer");
using (var created = await http.PostAsync("api/streams", new StringContent(
           $$"""{"id":"soak","source":"rtsp://127.0.0.1:{{rtspPort}}/h264"}""", Encoding.UTF8, "application/json")))
    if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/streams: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");

Console.WriteLine($"soak: 1 RTSP camera 768x576 10 fps H.264 -> serve, RETENTION_MAX_AGE={retention}, {minutes} min, sample every {sampleEvery.TotalSeconds} s");
Console.WriteLine("   t(s)  serve RSS MB  ffmpeg RSS MB  fds  data MB  live segs  index segs  media s listed  first seq");
var samples = new List<Sample>();
var clock = Stopwatch.StartNew();
var end = TimeSpan.FromMinutes(minutes);
while (clock.Elapsed < end)
{
    await Task.Delay(sampleEvery); // the sampling period of a benchmark, not synchronisation
    if (serve.HasExited) throw new InvalidOperationException($"serve exited with {serve.ExitCode}");
    var index = await TryGetAsync(http, "streams/soak/index.m3u8") ?? "";
    var live = await TryGetAsync(http, "streams/soak/live.m3u8") ?? "";
    var s = new Sample(clock.Elapsed.TotalSeconds, RssMb(serve.Id), ChildrenRssMb(serve.Id), Fds(serve.Id), DirMb(data),
        Segments(live), Segments(index), MediaSeconds(index), FirstSequence(index));
    samples.Add(s);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{s.T,7:0}  {s.RssMb,12:0.0}  {s.FfmpegMb,13:0.0}  {s.Fds,3}  {s.DataMb,7:0.0}  {s.LiveSegments,9}  {s.IndexSegments,10}  {s.MediaSeconds,14:0.0}  {s.FirstSequence,9}"));
}

// Second half: retention has been cutting for a while by then, so growth there is what would fill a disk.
var late = samples.Where(s => s.T >= end.TotalSeconds / 2).ToList();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
    second half ({late.Count} samples): RSS slope {Slope(late, s => s.RssMb) * 60:+0.00;-0.00} MB/min (range {late.Min(s => s.RssMb):0}-{late.Max(s => s.RssMb):0} MB),
      fds {late.Min(s => s.Fds)}-{late.Max(s => s.Fds)}, data {late.Min(s => s.DataMb):0.0}-{late.Max(s => s.DataMb):0.0} MB (slope {Slope(late, s => s.DataMb) * 60:+0.00;-0.00} MB/min),
      index.m3u8 {late.Min(s => s.IndexSegments)}-{late.Max(s => s.IndexSegments)} segments, first sequence {late[0].FirstSequence} -> {late[^1].FirstSequence}
    """));

await StopAsync(serve);
camera.Kill(entireProcessTree: true);
Directory.Delete(data, recursive: true);
return 0;

static double Slope(List<Sample> xs, Func<Sample, double> y)
{
    var mx = xs.Average(s => s.T);
    var my = xs.Average(y);
    var den = xs.Sum(s => (s.T - mx) * (s.T - mx));
    return den == 0 ? 0 : xs.Sum(s => (s.T - mx) * (y(s) - my)) / den;
}

static int Segments(string m3u8) => m3u8.Split('\n').Count(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal));

static double MediaSeconds(string m3u8) => m3u8.Split('\n').Where(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal))
    .Sum(l => double.Parse(l[8..].TrimEnd(','), CultureInfo.InvariantCulture));

static long FirstSequence(string m3u8)
{
    var m = Regex.Match(m3u8, @"#EXT-X-MEDIA-SEQUENCE:(\d+)");
    return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
}

static double RssMb(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    return 0;
}

static double ChildrenRssMb(int pid)
{
    var total = 0.0;
    foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid) total += RssMb(int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture));
        }
        catch (IOException) { /* the process went away */ }
    }
    return total;
}

static int Fds(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

static double DirMb(string dir) =>
    new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => { try { return f.Length; } catch (IOException) { return 0; } }) / 1048576.0;

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

static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
{
    var clock = Stopwatch.StartNew();
    while (!await condition())
    {
        if (clock.Elapsed > timeout) throw new TimeoutException($"waited {timeout.TotalSeconds} s for {what}");
        await Task.Delay(200);
    }
}

static async Task WaitForLineAsync(Process process, string marker, TimeSpan timeout)
{
    using var cts = new CancellationTokenSource(timeout);
    while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        if (line.Contains(marker, StringComparison.Ordinal)) return;
    throw new InvalidOperationException($"{process.StartInfo.FileName} ended before '{marker}': {await process.StandardError.ReadToEndAsync()}");
}

static async Task StopAsync(Process process)
{
    using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    await process.WaitForExitAsync(cts.Token);
    Console.WriteLine($"serve stopped on SIGTERM with exit code {process.ExitCode}");
}

static Process Start(string file, string[] arguments, Dictionary<string, string> environment)
{
    var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in arguments) info.ArgumentList.Add(a);
    foreach (var (k, v) in environment) info.Environment[k] = v;
    var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
    return process;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DaprVideo.sln"))) return dir.FullName;
    throw new InvalidOperationException("run from inside the repository");
}

internal sealed record Sample(double T, double RssMb, double FfmpegMb, int Fds, double DataMb, int LiveSegments, int IndexSegments, double MediaSeconds, long FirstSequence);
