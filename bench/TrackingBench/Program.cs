// Tracking benchmark (issue 14): the stream tracker's cost per analysed frame (one Update plus the Predicts that draw
// the video frames up to the next analysis: 25 fps video analysed at 5 fps, so 5 Predicts) with 1, 5 and 20 objects
// moving (two classes, bouncing off the frame edges, jittered boxes, 5% missed, an occasional false positive), against
// the ONNX detector's full detect (resize + run + decode + NMS) on a 1280x720 frame of a bundled photo, in one run.
// Prints µs per analysed frame and the ratio tracker / detector. Usage:
//   dotnet run -c Release --project bench/TrackingBench [-- --frames 3000 --detections 30]
using System.Diagnostics;
using System.Globalization;
using DaprVideo.Core.Tracking;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Images;
using DaprVideo.Onnx;

var frames = 3000;
var detectRounds = 30;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--frames": frames = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--detections": detectRounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"Unknown argument '{args[i]}' (usage: [--frames 3000] [--detections 30]).");
    }
}
const double analysedFps = 5;
const int predictsPerFrame = 5;
var root = FindRoot();
Console.WriteLine(Invariant($"tracking bench: {Environment.ProcessorCount} cores, load average {LoadAverage()}; {frames} analysed frames per case at {analysedFps} fps, {predictsPerFrame} Predicts each"));

// Detector: one frame of a real photo, full detect.
var photo = DecodedImage.Decode(File.ReadAllBytes(Path.Combine(root, "assets", "photos", "astronaut.png")));
var rgb = new byte[1280 * 720 * 3];
FrameResizer.ResizeToRgb(photo.Frame, 1280, 720, rgb);
ImageFrame[] frame = [ImageFrame.Rgb(rgb, 1280, 720)];
using var detector = new OnnxObjectDetector(new OnnxDetectorOptions { ModelPath = Path.Combine(root, "models", SsdModel.FileName) });
for (var i = 0; i < 3; i++) detector.Detect(frame);
var detectTime = Stopwatch.StartNew();
var found = 0;
for (var i = 0; i < detectRounds; i++) found = detector.Detect(frame)[0].Count;
detectTime.Stop();
var detectorUs = detectTime.Elapsed.TotalMicroseconds / detectRounds;
Console.WriteLine(Invariant($"detector: {detectorUs / 1000:F2} ms/frame ({found} detections on astronaut.png at 1280x720, {detectRounds} rounds)"));

Console.WriteLine("objects   tracker µs/frame   (update + predicts)   ids given   tracker / detector");
foreach (var objects in new[] { 1, 5, 20 })
{
    var scenes = Scene(objects, frames);
    // Warm up (JIT) on a separate tracker, then time a fresh one over the whole sequence.
    var warm = new ObjectTracker(new TrackerOptions());
    for (var k = 0; k < Math.Min(200, frames); k++) Step(warm, k, scenes[k]);
    var tracker = new ObjectTracker(new TrackerOptions());
    var sw = Stopwatch.StartNew();
    for (var k = 0; k < frames; k++) Step(tracker, k, scenes[k]);
    sw.Stop();
    var us = sw.Elapsed.TotalMicroseconds / frames;
    Console.WriteLine(Invariant($"{objects,7}   {us,16:F1}   {"",19}   {tracker.State.NextId - 1,9}   {us / detectorUs,18:P3}"));
}
Console.WriteLine(Invariant($"load average at the end: {LoadAverage()}"));
return 0;

static void Step(ObjectTracker tracker, int k, List<Detection> detections)
{
    var t = k / analysedFps;
    tracker.Update(t, detections);
    for (var p = 0; p < predictsPerFrame; p++) tracker.Predict(t + p / (analysedFps * predictsPerFrame));
}

// Objects bouncing around the frame at 0.05-0.2 frame widths per second, made before timing.
static List<Detection>[] Scene(int objects, int frames)
{
    var rng = new Random(42 + objects);
    var state = new (double X, double Y, double Vx, double Vy, double W, double H, int Class)[objects];
    for (var o = 0; o < objects; o++)
        state[o] = (rng.NextDouble() * 0.8 + 0.1, rng.NextDouble() * 0.6 + 0.2, (rng.NextDouble() - 0.5) * 0.4, (rng.NextDouble() - 0.5) * 0.2,
            0.04 + rng.NextDouble() * 0.08, 0.1 + rng.NextDouble() * 0.2, o % 3 == 0 ? 3 : 1);
    var scenes = new List<Detection>[frames];
    for (var k = 0; k < frames; k++)
    {
        var dets = new List<Detection>(objects + 1);
        for (var o = 0; o < objects; o++)
        {
            ref var s = ref state[o];
            s.X += s.Vx / analysedFps;
            s.Y += s.Vy / analysedFps;
            if (s.X < 0.05 || s.X > 0.95) s.Vx = -s.Vx;
            if (s.Y < 0.1 || s.Y > 0.9) s.Vy = -s.Vy;
            if (rng.NextDouble() < 0.05) continue;
            var j = (rng.NextDouble() - 0.5) * 0.006;
            dets.Add(new Detection(s.Class == 1 ? "person" : "car", s.Class, (float)(0.5 + 0.5 * rng.NextDouble()),
                BoundingBox.FromCorners((float)(s.Y - s.H / 2 + j), (float)(s.X - s.W / 2 + j), (float)(s.Y + s.H / 2), (float)(s.X + s.W / 2))));
        }
        if (rng.NextDouble() < 0.05)
            dets.Add(new Detection("person", 1, 0.7f, new BoundingBox((float)rng.NextDouble() * 0.9f, (float)rng.NextDouble() * 0.9f, 0.05f, 0.1f)));
        scenes[k] = dets;
    }
    return scenes;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DaprVideo.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run from inside the repository.");
}
