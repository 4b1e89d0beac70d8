using System.Diagnostics;
using System.Globalization;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Codec;
using DaprVideo.Media.Drawing;
using DaprVideo.Media.Probing;

// Usage: dotnet run -c Release -- <scratch-dir>
// Makes a 720p 10 s H.264 TS clip, then times (a) FrameDecoder -> FrameAnnotator -> SegmentEncoder
// and (b) ffmpeg -c:v libx264 -preset veryfast on the same clip, and prints x real time for both.
var dir = args.Length > 0 ? args[0] : throw new ArgumentException("Give a scratch directory.");
Directory.CreateDirectory(dir);
var clip = Path.Combine(dir, "clip-720p-10s.ts");
const double seconds = 10;
Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=10",
    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-f", "mpegts", clip);
var bytes = await File.ReadAllBytesAsync(clip);

var detections = new[]
{
    new Detection("person", 1, 0.87f, new BoundingBox(0.1f, 0.2f, 0.2f, 0.5f)),
    new Detection("car", 3, 0.64f, new BoundingBox(0.5f, 0.5f, 0.3f, 0.3f)),
    new Detection("dog", 18, 0.55f, new BoundingBox(0.7f, 0.1f, 0.2f, 0.2f)),
};

var decoder = new FrameDecoder();
using var annotator = new FrameAnnotator();
var encoder = new SegmentEncoder();
var pipeline = Stopwatch.StartNew();
var info = await new VideoProbe().ProbeAsync(bytes);
var frames = 0;
var annotate = TimeSpan.Zero;
byte[] output;
await using (var segment = encoder.Start(info.Format, PixelFormat.Bgra32, 0))
{
    await foreach (var frame in decoder.DecodeAsync(bytes, info.Format))
    {
        using (frame)
        {
            var t = Stopwatch.GetTimestamp();
            annotator.Annotate(frame, detections);
            annotate += Stopwatch.GetElapsedTime(t);
            await segment.WriteFrameAsync(frame);
            frames++;
        }
    }
    output = await segment.CompleteAsync();
}
pipeline.Stop();

var plain = Stopwatch.StartNew();
Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", clip, "-c:v", "libx264", "-preset", "veryfast", "-f", "mpegts", Path.Combine(dir, "plain.ts"));
plain.Stop();

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"frames={frames} out={output.Length / 1024} KiB annotate={annotate.TotalMilliseconds / frames:F2} ms/frame"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"decode+annotate+encode: {pipeline.Elapsed.TotalSeconds:F2} s = {seconds / pipeline.Elapsed.TotalSeconds:F2}x real time"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"plain ffmpeg transcode: {plain.Elapsed.TotalSeconds:F2} s = {seconds / plain.Elapsed.TotalSeconds:F2}x real time"));

static void Run(string exe, params string[] arguments)
{
    var info = new ProcessStartInfo(exe) { UseShellExecute = false };
    foreach (var a in arguments) info.ArgumentList.Add(a);
    using var p = Process.Start(info)!;
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} failed");
}
