using DaprVideo.Core.Inference;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Tests.TfServing.Support;
using DaprVideo.TfServing;

namespace DaprVideo.Tests.TfServing;

/// <summary>Our client against our ModelServer over real loopback HTTP/2 (gRPC, h2c) and REST.</summary>
public sealed class ClientServerTests : IAsyncLifetime
{
    private readonly ColourCodedDetector _detector = new();
    private RunningModelServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningModelServer.StartAsync(_detector);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(TfServingProtocol.Grpc)]
    [InlineData(TfServingProtocol.Rest)]
    public async Task Batches_of_1_to_N_come_back_frame_by_frame(TfServingProtocol protocol)
    {
        using var client = new TfServingObjectDetector(_server.ClientOptions(protocol));
        for (var n = 1; n <= 5; n++)
        {
            var frames = Enumerable.Range(0, n).Select(i => ColourCodedDetector.SolidFrame((byte)(10 * n + i), (byte)(200 + i), (byte)(40 * i))).ToArray();
            var results = await client.DetectAsync(frames);

            Assert.Equal(n, results.Length);
            for (var i = 0; i < n; i++)
                ColourCodedDetector.AssertSame(ColourCodedDetector.Expected((byte)(10 * n + i), (byte)(200 + i), (byte)(40 * i)), Assert.Single(results[i]));
        }
        Assert.Equal([1, 2, 3, 4, 5], _detector.BatchSizes);
        // The client sends the model's input size, not the 64x48 frame.
        Assert.All(_detector.FrameSizes, size => Assert.Equal((300, 300), size));
    }

    [Fact]
    public async Task Full_frame_option_sends_frames_at_their_own_size_and_splits_by_size()
    {
        var options = _server.ClientOptions(TfServingProtocol.Grpc) with { InputSize = TfServingOptions.FullFrame };
        using var client = new TfServingObjectDetector(options);
        ImageFrame[] frames =
        [
            ColourCodedDetector.SolidFrame(1, 2, 3, 64, 48), ColourCodedDetector.SolidFrame(4, 5, 6, 64, 48),
            ColourCodedDetector.SolidFrame(7, 8, 9, 32, 16),
        ];
        var results = await client.DetectAsync(frames);

        ColourCodedDetector.AssertSame(ColourCodedDetector.Expected(7, 8, 9), Assert.Single(results[2]));
        Assert.Equal([2, 1], _detector.BatchSizes);
        Assert.Equal([(64, 48), (64, 48), (32, 16)], _detector.FrameSizes);
    }

    [Fact]
    public async Task More_frames_than_batch_size_go_as_several_requests()
    {
        var options = _server.ClientOptions(TfServingProtocol.Grpc) with { BatchSize = 3 };
        using var client = new TfServingObjectDetector(options);
        var frames = Enumerable.Range(0, 7).Select(i => ColourCodedDetector.SolidFrame((byte)i, 100, 0)).ToArray();
        var results = await client.DetectAsync(frames);

        for (var i = 0; i < 7; i++) Assert.Equal(1 + i, Assert.Single(results[i]).ClassId);
        Assert.Equal([3, 3, 1], _detector.BatchSizes);
    }

    [Fact]
    public async Task Frames_from_several_streams_share_batches_and_each_stream_gets_its_own_results()
    {
        using var client = new TfServingObjectDetector(_server.ClientOptions(TfServingProtocol.Grpc));
        await using var batcher = new FrameBatcher(client, new FrameBatcherOptions
        {
            BatchSize = 8,
            BatchTimeout = TimeSpan.FromMilliseconds(200),
            QueueCapacity = 16,
        });

        // Four streams, six frames each, every frame its own call (as a decoder hands them over).
        const int streams = 4, framesPerStream = 6;
        var work = Enumerable.Range(0, streams).Select(s => Task.Run(async () =>
        {
            var calls = Enumerable.Range(0, framesPerStream).Select(f =>
                batcher.DetectAsync([ColourCodedDetector.SolidFrame((byte)(s * 20 + f), (byte)(s * 50), (byte)f)]));
            return await Task.WhenAll(calls);
        })).ToArray();
        var perStream = await Task.WhenAll(work);

        for (var s = 0; s < streams; s++)
            for (var f = 0; f < framesPerStream; f++)
                ColourCodedDetector.AssertSame(
                    ColourCodedDetector.Expected((byte)(s * 20 + f), (byte)(s * 50), (byte)f),
                    Assert.Single(perStream[s][f][0]));

        var stats = batcher.GetStats();
        Assert.Equal(streams * framesPerStream, stats.Frames);
        Assert.True(stats.MeanBatchSize > 1, $"mean batch size {stats.MeanBatchSize}");
        Assert.True(stats.LargestBatch <= 8);
        Assert.Equal(stats.Batches, _detector.BatchSizes.Count);
    }

    [Fact]
    public async Task Unknown_model_is_not_found_and_not_retried()
    {
        var options = _server.ClientOptions(TfServingProtocol.Grpc) with { ModelName = "nope" };
        using var client = new TfServingObjectDetector(options);

        var ex = await Assert.ThrowsAsync<DetectorUnavailableException>(() => client.DetectAsync([ColourCodedDetector.SolidFrame(1, 1, 1)]));
        Assert.Contains("NotFound", ex.Message);
        Assert.Contains("Servable not found for request: Latest(nope)", ex.Message);
        Assert.Empty(_detector.BatchSizes);
    }

    [Fact]
    public async Task Detections_below_the_score_threshold_are_dropped_by_the_client()
    {
        var options = _server.ClientOptions(TfServingProtocol.Grpc) with { ScoreThreshold = 0.5f };
        using var client = new TfServingObjectDetector(options);
        // score = (g + 1) / 256: g = 100 -> 0.39, g = 200 -> 0.79
        var results = await client.DetectAsync([ColourCodedDetector.SolidFrame(0, 100, 0), ColourCodedDetector.SolidFrame(0, 200, 0)]);

        Assert.Empty(results[0]);
        Assert.Single(results[1]);
    }
}
