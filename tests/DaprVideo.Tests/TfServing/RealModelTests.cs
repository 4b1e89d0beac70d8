using DaprVideo.Media.Images;
using DaprVideo.Tests.TfServing.Support;
using DaprVideo.TfServing;

namespace DaprVideo.Tests.TfServing;

/// <summary>The shipped ONNX model behind our ModelServer gives the same answers remotely as in-process.</summary>
public sealed class RealModelTests(DetectorFixture fixture) : IClassFixture<DetectorFixture>
{
    [Theory]
    [InlineData(TfServingProtocol.Grpc)]
    [InlineData(TfServingProtocol.Rest)]
    public async Task Remote_detections_match_in_process_ones(TfServingProtocol protocol)
    {
        var photo = DecodedImage.Decode(await File.ReadAllBytesAsync(RepoPaths.Photo("astronaut.png"))).Frame;
        await using var server = await RunningModelServer.StartAsync(fixture.Detector);
        using var client = new TfServingObjectDetector(server.ClientOptions(protocol) with { ScoreThreshold = 0.5f });

        var local = (await fixture.Detector.DetectAsync([photo]))[0];
        var remote = (await client.DetectAsync([photo]))[0];

        Assert.Contains(remote, d => d.Label == "person");
        Assert.Equal(local.Count, remote.Count);
        foreach (var (l, r) in local.OrderByDescending(d => d.Score).Zip(remote))
        {
            Assert.Equal(l.ClassId, r.ClassId);
            Assert.Equal(l.Score, r.Score, 1e-5f);
            Assert.Equal(l.Box.X, r.Box.X, 1e-4f);
            Assert.Equal(l.Box.Y, r.Box.Y, 1e-4f);
        }
    }
}
