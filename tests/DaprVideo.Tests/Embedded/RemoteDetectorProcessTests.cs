using System.Net;
using System.Net.Sockets;
using DaprVideo.Core.Playlist;
using DaprVideo.Embedded.Cli;
using DaprVideo.Onnx;
using DaprVideo.Tests.TfServing.Support;

namespace DaprVideo.Tests.Embedded;

/// <summary><c>process --detector tfserving</c>: the same pipeline with detection done by the ModelServer over gRPC.</summary>
[Trait("Speed", "Slow")]
public class RemoteDetectorProcessTests
{
    private static async Task<(int Code, string Err)> Process(string source, string outDir, string url)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await CommandLine.RunAsync(["process", source, "--out", outDir, "--detector", "tfserving", "--tf-serving-url", url],
            stdout, stderr, _ => null);
        return (code, stderr.ToString());
    }

    [Fact]
    public async Task Detections_come_back_through_the_model_server()
    {
        using var tmp = new TempDirectory();
        await PhotoClip.MakeAsync(tmp.File("photos.mp4"));
        using var onnx = new OnnxObjectDetector(new OnnxDetectorOptions { ModelPath = RepoPaths.Model, IntraOpThreads = 2 });
        await using var server = await RunningModelServer.StartAsync(onnx);

        var (code, err) = await Process(tmp.File("photos.mp4"), tmp.File("out"), server.GrpcUrl);

        Assert.True(code == 0, err);
        var labels = File.ReadAllLines(tmp.File("out/photos/detections.jsonl"));
        Assert.Contains(labels, l => l.Contains("\"label\":\"cat\"", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.Contains("\"label\":\"motorcycle\"", StringComparison.Ordinal));
        Assert.All(RecordsOf(tmp.File("out/photos")), r => Assert.True(r.Annotated));
    }

    [Fact]
    public async Task With_no_model_server_every_segment_is_still_produced_unannotated()
    {
        using var tmp = new TempDirectory();
        await PhotoClip.MakeAsync(tmp.File("photos.mp4"));

        var (code, err) = await Process(tmp.File("photos.mp4"), tmp.File("out"), $"grpc://127.0.0.1:{ClosedPort()}");

        Assert.True(code == 0, err);
        var playlist = M3u8Parser.Parse(File.ReadAllText(tmp.File("out/photos/index.m3u8")));
        Assert.True(playlist.EndList);
        Assert.Equal(3, playlist.Segments.Count);
        var records = RecordsOf(tmp.File("out/photos"));
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.False(r.Annotated));
    }

    private static List<SegmentRecord> RecordsOf(string streamDir) =>
        [.. Directory.GetFiles(Path.Combine(streamDir, "segments"), "*.json").Order().Select(f => SegmentRecord.Parse(File.ReadAllBytes(f)))];

    /// <summary>A loopback port nobody listens on (bound, read, released).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
