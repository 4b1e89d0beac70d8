// Events benchmark (issue 14): how well `daprvideo process` turns synthetic footage with known ground truth into
// events, in one run, measured against that ground truth (the baseline: one event and one track per person, no
// identity switches). Clips (tests/DaprVideo.Tests/TestSupport, rendered with ffmpeg from the bundled photos):
//   crossing  10 s, two persons crossing, one hidden behind the other for about a second (CrossingClip);
//   street    60 s, six persons walking in and out at 35-70 px/s, three crossings (StreetClip).
// Each clip goes through `daprvideo process` in this process (as CommandLine runs it: DETECT_FPS 5, SEGMENT_SECONDS 3,
// the real ONNX detector and tracker). Then the analysed frames' tracked boxes (segment records) are paired with the
// ground truth (TrackingScore: IoU >= 0.3, one to one, per label) and the stored events are counted.
// Columns: events and events per minute (ground truth: persons per minute), median event duration against the
// median time a person is at least half in view, identity switches (an object's paired track id changing) in all and
// per minute, swaps (tracks that followed more than one person), fragmentation (distinct track ids per person: 1 is ideal), coverage (analysed frames showing at least
// half a person on which it was tracked), events following no one, wall seconds and the 1-minute load average.
// Usage: dotnet run -c Release --project bench/EventsBench [-- --clips crossing,street --keep dir]
//   --keep  leave each clip's `process` output (segment records with tracked boxes, events, snapshots) in dir.
using System.Diagnostics;
using System.Globalization;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Tracking;
using DaprVideo.Embedded.Cli;
using DaprVideo.Tests.TestSupport;

var names = new List<string> { "crossing", "street" };
string? keep = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--clips": names = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
        case "--keep": keep = Path.GetFullPath(args[++i]); break;
        default: throw new ArgumentException($"Unknown argument '{args[i]}' (usage: [--clips crossing,street] [--keep dir]).");
    }
}
var scenes = new Dictionary<string, (MovingPhotoScene Scene, Func<Task<string>> Render)>
{
    ["crossing"] = (CrossingClip.Scene, CrossingClip.PathAsync),
    ["street"] = (StreetClip.Scene, StreetClip.PathAsync),
};
foreach (var n in names)
    if (!scenes.ContainsKey(n)) throw new ArgumentException($"Unknown clip '{n}': use {string.Join(", ", scenes.Keys)}.");

var work = keep is null ? Directory.CreateTempSubdirectory("daprvideo-events-bench-").FullName : Directory.CreateDirectory(keep).FullName;
var rows = new List<string[]>();
var notes = new List<string>();
try
{
    foreach (var name in names)
    {
        var (scene, render) = scenes[name];
        var clip = await render();
        var load = LoadAverage();
        var outDir = Path.Combine(work, name);
        if (Directory.Exists(Path.Combine(outDir, name))) Directory.Delete(Path.Combine(outDir, name), recursive: true);
        var watch = Stopwatch.StartNew();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CommandLine.RunAsync(["process", clip, "--out", outDir, "--id", name], stdout, stderr,
            v => v == "MODEL_PATH" ? RepoPaths.Model : Environment.GetEnvironmentVariable(v));
        watch.Stop();
        if (exit != 0) throw new InvalidOperationException($"process {name} failed ({exit}): {stderr}");

        var streamDir = Path.Combine(outDir, name);
        var frames = Directory.GetFiles(Path.Combine(streamDir, "segments"), "*.json").Order(StringComparer.Ordinal)
            .SelectMany(f => SegmentRecord.Parse(File.ReadAllBytes(f)).Frames).ToList();
        var events = Directory.GetFiles(Path.Combine(streamDir, "events"), "*.json").Order(StringComparer.Ordinal)
            .Select(f => TrackEvent.Parse(File.ReadAllBytes(f))).ToList();
        var score = new TrackingScore(scene, frames.Select(f => (f.T, f.Detections)));
        var times = frames.Select(f => f.T).ToList();
        var minutes = scene.DurationSeconds / 60;

        var durations = events.Select(e => (e.EndSeconds ?? scene.DurationSeconds) - e.StartSeconds).ToList();
        var truthDurations = scene.Actors.Select(a => OnScreenSeconds(scene, a)).ToList();
        var switches = score.IdentitySwitches();
        var fragments = scene.Actors.Select(a => score.Fragments(a.Name)).ToList();
        var swaps = score.ActorsOfTrack.Count(t => t.Value.Count > 1);
        var strays = events.Count(e => !score.ActorsOfTrack.ContainsKey(e.TrackId));
        var coverage = scene.Actors.Average(a => score.Coverage(a.Name, times));
        rows.Add([
            name, F(scene.DurationSeconds, 0), $"{events.Count} / {scene.Actors.Count}", $"{F(events.Count / minutes, 1)} / {F(scene.Actors.Count / minutes, 1)}",
            $"{F(Median(durations), 1)} / {F(Median(truthDurations), 1)}", switches.ToString(CultureInfo.InvariantCulture), F(switches / minutes, 1), swaps.ToString(CultureInfo.InvariantCulture),
            $"{F(fragments.Average(), 2)} (max {fragments.Max()})", $"{coverage:P0}", strays.ToString(CultureInfo.InvariantCulture),
            F(watch.Elapsed.TotalSeconds, 0), F(load, 1),
        ]);
        foreach (var a in scene.Actors)
        {
            var pairs = score.Pairs[a.Name];
            var (from, to) = HalfInView(scene, a);
            notes.Add($"{name}/{a.Name} (shown {F(a.Enter, 1)}-{F(a.Leave, 1)} s, half in view {F(from, 1)}-{F(to, 1)} s): " + (pairs.Count == 0 ? "never tracked"
                : string.Join(", ", Runs(pairs).Select(r => $"track {r.Id} {F(r.From, 1)}-{F(r.To, 1)} s"))));
        }
        foreach (var e in events.Where(e => !score.ActorsOfTrack.ContainsKey(e.TrackId)))
            notes.Add($"{name}: event {e.TrackId} ({e.Label}, {F(e.StartSeconds, 1)}-{F(e.EndSeconds ?? double.NaN, 1)} s) follows no one");
    }
}
finally
{
    if (keep is null) Directory.Delete(work, recursive: true);
}

string[] header = ["clip", "s", "events/truth", "per min/truth", "median s/truth", "id sw", "id sw/min", "swaps", "tracks per object", "coverage", "strays", "wall s", "load"];
var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
Console.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))));
foreach (var r in rows) Console.WriteLine(string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))));
Console.WriteLine();
foreach (var n in notes) Console.WriteLine(n);

static string F(double v, int digits) => v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

static double Median(List<double> values)
{
    if (values.Count == 0) return double.NaN;
    var s = values.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

// Time a person is at least half inside the frame, sampled per video frame.
static double OnScreenSeconds(MovingPhotoScene scene, MovingPhoto a)
{
    var frames = 0;
    for (var k = 0; k < scene.DurationSeconds * scene.Fps; k++)
        if (a.VisibleFraction((double)k / scene.Fps, scene.Width, scene.Height) >= 0.5) frames++;
    return (double)frames / scene.Fps;
}

// First and last time a person is at least half inside the frame.
static (double From, double To) HalfInView(MovingPhotoScene scene, MovingPhoto a)
{
    var times = Enumerable.Range(0, (int)(scene.DurationSeconds * scene.Fps)).Select(k => (double)k / scene.Fps)
        .Where(t => a.VisibleFraction(t, scene.Width, scene.Height) >= 0.5).ToList();
    return times.Count == 0 ? (double.NaN, double.NaN) : (times[0], times[^1]);
}

// Consecutive pairings with one track id, for the notes.
static IEnumerable<(long Id, double From, double To)> Runs(IReadOnlyList<(double T, long TrackId)> pairs)
{
    var start = 0;
    for (var i = 1; i <= pairs.Count; i++)
    {
        if (i < pairs.Count && pairs[i].TrackId == pairs[start].TrackId) continue;
        yield return (pairs[start].TrackId, pairs[start].T, pairs[i - 1].T);
        start = i;
    }
}

static double LoadAverage() =>
    File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;
