// TF Serving client benchmark, one run:
//  1. bytes on the wire per 1280x720 frame: our gRPC request (uint8 tensor_content at 300x300), our REST
//     request (columnar nested lists at 300x300), and the old client's row format (nested JSON of the full frame);
//  2. frames/s through our ModelServer over loopback gRPC at batch 1 and 8 against the same ONNX detector
//     called in-process, interleaved so machine noise hits both sides alike.
// Usage: dotnet run -c Release --project bench/TfServingBench [-- rounds]
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Images;
using DaprVideo.ModelServer;
using DaprVideo.Onnx;
using DaprVideo.TfServing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 12;
var root = FindRoot();
var modelPath = Path.Combine(root, "models", SsdModel.FileName);

string[] photoNames = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png"];
var frames = Enumerable.Range(0, 8).Select(i =>
{
    var photo = DecodedImage.Decode(File.ReadAllBytes(Path.Combine(root, "assets", "photos", photoNames[i % photoNames.Length])));
    var rgb = new byte[1280 * 720 * 3];
    FrameResizer.ResizeToRgb(photo.Frame, 1280, 720, rgb);
    return ImageFrame.Rgb(rgb, 1280, 720);
}).ToArray();

// 1. Wire size.
using (var grpcSizer = new TfServingObjectDetector(TfServingOptions.FromUrl("grpc://127.0.0.1:1")))
using (var restSizer = new TfServingObjectDetector(TfServingOptions.FromUrl("http://127.0.0.1:1")))
{
    var grpcBytes = grpcSizer.MeasureRequestBytes([frames[0]]);
    var restBytes = restSizer.MeasureRequestBytes([frames[0]]);
    var oldBytes = OldRowFormatBytes(frames[0]);
    Console.WriteLine("bytes per 1280x720 frame on the wire (request body):");
    Console.WriteLine($"  gRPC uint8 tensor_content 300x300:   {grpcBytes,12:N0}");
    Console.WriteLine($"  REST columnar nested list 300x300:   {restBytes,12:N0}");
    Console.WriteLine($"  old client row JSON, full frame:     {oldBytes,12:N0}   ({(double)oldBytes / grpcBytes:F1}x the gRPC request)");
}

// 2. Throughput.
var detectorOptions = new OnnxDetectorOptions
{
    ModelPath = modelPath,
    PostProcessing = new PostProcessingOptions { ScoreThreshold = 0.05f },
};
using var local = new OnnxObjectDetector(detectorOptions);
using var served = new OnnxObjectDetector(detectorOptions);
var app = ModelServerHost.Build(
    new ModelServerOptions { BindAddress = IPAddress.Loopback, Port = 0, RestEnabled = false },
    services =>
    {
        services.AddSingleton<IObjectDetector>(served);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
    });
await app.StartAsync();
var port = app.Services.GetRequiredService<ModelServerEndpoints>().GrpcPort;
using var remote = new TfServingObjectDetector(TfServingOptions.FromUrl($"grpc://127.0.0.1:{port}") with { ScoreThreshold = 0.05f });

Console.WriteLine($"frames/s, 1280x720 frames, {rounds} rounds, {Environment.ProcessorCount} cores (server and client share them):");
foreach (var batch in new[] { 1, 8 })
{
    var input = frames.Take(batch).ToArray();
    await local.DetectAsync(input); // warm-up
    await remote.DetectAsync(input);
    double localSeconds = 0, remoteSeconds = 0;
    for (var r = 0; r < rounds; r++)
    {
        var t = Stopwatch.GetTimestamp();
        await local.DetectAsync(input);
        localSeconds += Stopwatch.GetElapsedTime(t).TotalSeconds;
        t = Stopwatch.GetTimestamp();
        await remote.DetectAsync(input);
        remoteSeconds += Stopwatch.GetElapsedTime(t).TotalSeconds;
    }
    var localFps = rounds * batch / localSeconds;
    var remoteFps = rounds * batch / remoteSeconds;
    Console.WriteLine($"  batch {batch}: in-process {localFps,6:F1}  gRPC {remoteFps,6:F1}  (remote costs {localFps / remoteFps:F2}x per frame)");
}
await app.StopAsync();
return 0;

// The old Python client's body: {"instances": [[[r,g,b], ...]]} of the whole frame, digits as JSON writes them.
static long OldRowFormatBytes(ImageFrame frame)
{
    var buffer = new ArrayBufferWriter<byte>(32 << 20);
    using (var w = new Utf8JsonWriter(buffer))
    {
        w.WriteStartObject();
        w.WriteStartArray("instances");
        w.WriteStartArray();
        var p = frame.Pixels.Span;
        for (var y = 0; y < frame.Height; y++)
        {
            w.WriteStartArray();
            for (var x = 0; x < frame.Width; x++)
            {
                w.WriteStartArray();
                for (var c = 0; c < 3; c++) w.WriteNumberValue(p[y * frame.Stride + x * 3 + c]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteEndObject();
    }
    return buffer.WrittenCount;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DaprVideo.sln"))) return dir.FullName;
    throw new InvalidOperationException("DaprVideo.sln not found above " + AppContext.BaseDirectory);
}
