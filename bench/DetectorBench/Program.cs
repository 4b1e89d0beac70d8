// Detector benchmark: full detect (resize + run + decode + NMS) against a bare InferenceSession.Run on
// the same pre-resized input, at batch 1 and batch 8, interleaved in one run so machine noise hits
// both sides alike. Usage: dotnet run -c Release --project bench/DetectorBench [-- rounds threads]
using System.Diagnostics;
using System.Globalization;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Images;
using DaprVideo.Onnx;
using Microsoft.ML.OnnxRuntime;

var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
var threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
var root = FindRoot();
var modelPath = Path.Combine(root, "models", SsdModel.FileName);

// 1280x720 RGB frames made from the bundled photos (setup, not measured).
string[] photoNames = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png"];
var photos = photoNames
    .Select(p => DecodedImage.Decode(File.ReadAllBytes(Path.Combine(root, "assets", "photos", p))))
    .ToArray();
var frames = Enumerable.Range(0, 8).Select(i =>
{
    var rgb = new byte[1280 * 720 * 3];
    FrameResizer.ResizeToRgb(photos[i % photos.Length].Frame, 1280, 720, rgb);
    return ImageFrame.Rgb(rgb, 1280, 720);
}).ToArray();

using var detector = new OnnxObjectDetector(new OnnxDetectorOptions { ModelPath = modelPath, IntraOpThreads = threads });
using var sessionOptions = OnnxObjectDetector.CreateSessionOptions(threads);
using var bare = new InferenceSession(modelPath, sessionOptions);

Console.WriteLine($"detector bench: 1280x720 frames, {rounds} rounds, intra-op threads {(threads == 0 ? "all" : threads)}, {Environment.ProcessorCount} cores");
var results = new Dictionary<int, (double Full, double Bare)>();
int[] batches = [1, 8];
foreach (var batch in batches)
{
    var input = new byte[batch * SsdModel.InputBytesPerFrame];
    for (var i = 0; i < batch; i++)
        FrameResizer.ResizeToRgb(frames[i], SsdModel.InputSize, SsdModel.InputSize, input.AsSpan(i * SsdModel.InputBytesPerFrame, SsdModel.InputBytesPerFrame));
    using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [batch, SsdModel.InputSize, SsdModel.InputSize, 3]);
    using var runOptions = new RunOptions();
    var batchFrames = frames.Take(batch).ToArray();

    void Full() => detector.Detect(batchFrames);
    void Bare()
    {
        using var outputs = bare.Run(runOptions, [SsdModel.InputName], [inputValue], [SsdModel.ScoresName, SsdModel.BoxesName]);
    }

    for (var i = 0; i < 3; i++) { Full(); Bare(); }
    var (full, bareTime) = (new Stopwatch(), new Stopwatch());
    var n = Math.Max(2, rounds / batch);
    for (var i = 0; i < n; i++)
    {
        // Alternate which goes first so neither always runs on a warmer cache.
        if (i % 2 == 0) { Time(full, Full); Time(bareTime, Bare); }
        else { Time(bareTime, Bare); Time(full, Full); }
    }
    var perFrameFull = full.Elapsed.TotalMilliseconds / (n * batch);
    var perFrameBare = bareTime.Elapsed.TotalMilliseconds / (n * batch);
    results[batch] = (perFrameFull, perFrameBare);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"batch {batch}: full detect {perFrameFull:F2} ms/frame, bare session.Run {perFrameBare:F2} ms/frame, full/bare = {perFrameFull / perFrameBare:F3}"));
}
// Where the glue time goes: the model run into the detector's pooled buffers, the resize and the post-processing alone.
var runOnly = Stopwatch.StartNew();
var rs = new float[SsdModel.AnchorCount * SsdModel.ClassCount];
var rb = new float[SsdModel.AnchorCount * 4];
var ri = new byte[SsdModel.InputBytesPerFrame];
for (var i = 0; i < rounds; i++) detector.Run(ri, rs, rb, 1);
runOnly.Stop();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"detector.Run alone (batch 1, bound outputs): {runOnly.Elapsed.TotalMilliseconds / rounds:F2} ms/frame"));
var resized = new byte[SsdModel.InputBytesPerFrame];
var post = new SsdPostProcessor(new PostProcessingOptions());
var rawScores = new float[SsdModel.AnchorCount * SsdModel.ClassCount];
var rawBoxes = new float[SsdModel.AnchorCount * 4];
detector.Run(resized, rawScores, rawBoxes, 1);
var resizeTime = Stopwatch.StartNew();
for (var i = 0; i < rounds; i++) FrameResizer.ResizeToRgb(frames[i % frames.Length], SsdModel.InputSize, SsdModel.InputSize, resized);
resizeTime.Stop();
var postTime = Stopwatch.StartNew();
for (var i = 0; i < rounds; i++) post.Process(rawScores, rawBoxes, SsdModel.ClassCount);
postTime.Stop();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"glue per frame: resize 1280x720 -> 300x300 {resizeTime.Elapsed.TotalMilliseconds / rounds:F2} ms, post-processing {postTime.Elapsed.TotalMilliseconds / rounds:F2} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"batch 8 / batch 1 per-frame cost (full detect) = {results[8].Full / results[1].Full:F3}"));
return 0;

static void Time(Stopwatch sw, Action action)
{
    sw.Start();
    action();
    sw.Stop();
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DaprVideo.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run from inside the repository.");
}
