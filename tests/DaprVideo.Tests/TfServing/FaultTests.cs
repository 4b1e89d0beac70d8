using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Tests.TfServing.Support;
using DaprVideo.TfServing;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Tensorflow.Serving;

namespace DaprVideo.Tests.TfServing;

/// <summary>Retries, timeouts and the circuit breaker against a scripted stand-in and a killed server.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private ScriptedTfServingServer _standIn = null!;

    public async Task InitializeAsync() => _standIn = await ScriptedTfServingServer.StartAsync();

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    private static readonly ImageFrame[] OneFrame = [ColourCodedDetector.SolidFrame(3, 250, 7)];

    // Small, deterministic settings: no real waiting between retries, breaker at Polly's minimums.
    private static TfServingOptions Fast(string url) => TfServingOptions.FromUrl(url) with
    {
        ScoreThreshold = 0f,
        MaxRetryAttempts = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(5),
        BreakerMinimumThroughput = 100, // breaker out of the way unless a test wants it
    };

    [Fact]
    public async Task Grpc_unavailable_burst_is_retried_until_the_server_answers()
    {
        _standIn.Enqueue(new Step.Fail(StatusCode.Unavailable, 503), new Step.Fail(StatusCode.ResourceExhausted, 429));
        using var client = new TfServingObjectDetector(Fast(_standIn.GrpcUrl));

        var results = await client.DetectAsync(OneFrame);

        ColourCodedDetector.AssertSame(ColourCodedDetector.Expected(3, 250, 7), Assert.Single(results[0]));
        Assert.Equal(3, _standIn.Calls);
    }

    [Fact]
    public async Task Rest_503_burst_is_retried_and_a_longer_one_gives_unavailable()
    {
        using var client = new TfServingObjectDetector(Fast(_standIn.RestUrl));
        _standIn.Enqueue(new Step.Fail(StatusCode.Unavailable, 503), new Step.Fail(StatusCode.Unavailable, 502));
        Assert.Single((await client.DetectAsync(OneFrame))[0]);
        Assert.Equal(3, _standIn.Calls);

        _standIn.Enqueue(new Step.Fail(StatusCode.Unavailable, 503), new Step.Fail(StatusCode.Unavailable, 504), new Step.Fail(StatusCode.Unavailable, 503));
        var ex = await Assert.ThrowsAsync<DetectorUnavailableException>(() => client.DetectAsync(OneFrame));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Assert.IsType<TfServingHttpException>(ex.InnerException).StatusCode);
        Assert.Equal(6, _standIn.Calls); // 1 + 2 retries
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, 400)]
    [InlineData(StatusCode.Internal, 500)]
    public async Task Non_transient_failures_are_not_retried(StatusCode grpc, int http)
    {
        _standIn.Enqueue(new Step.Fail(grpc, http));
        using var grpcClient = new TfServingObjectDetector(Fast(_standIn.GrpcUrl));
        var ex = await Assert.ThrowsAsync<DetectorUnavailableException>(() => grpcClient.DetectAsync(OneFrame));
        Assert.Equal(grpc, Assert.IsType<RpcException>(ex.InnerException).StatusCode);
        Assert.Equal(1, _standIn.Calls);

        _standIn.Enqueue(new Step.Fail(grpc, http));
        using var restClient = new TfServingObjectDetector(Fast(_standIn.RestUrl));
        await Assert.ThrowsAsync<DetectorUnavailableException>(() => restClient.DetectAsync(OneFrame));
        Assert.Equal(2, _standIn.Calls);
    }

    [Fact]
    public async Task A_slow_server_times_out_each_attempt_then_the_call_is_unavailable()
    {
        var options = Fast(_standIn.GrpcUrl) with { RequestTimeout = TimeSpan.FromMilliseconds(300), MaxRetryAttempts = 1 };
        var attempts = new CountingHandler();
        using var client = new TfServingObjectDetector(options, null, null, attempts);
        _standIn.Enqueue(new Step.Slow(TimeSpan.FromSeconds(30)), new Step.Slow(TimeSpan.FromSeconds(30)));

        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<DetectorUnavailableException>(() => client.DetectAsync(OneFrame));
        Assert.Contains("timed out", ex.Message);
        Assert.Equal(2, attempts.Count); // the first attempt and one retry, each cut off by the timeout
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");

        // A slow-but-in-time answer is fine.
        _standIn.Enqueue(new Step.Slow(TimeSpan.FromMilliseconds(20)));
        Assert.Single((await client.DetectAsync(OneFrame))[0]);
    }

    /// <summary>Counts the HTTP requests (attempts) the client really sends.</summary>
    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task Outputs_in_tensor_content_form_are_read_like_float_val()
    {
        _standIn.Enqueue(new Step.Ok(TensorContent: true));
        using var client = new TfServingObjectDetector(Fast(_standIn.GrpcUrl));
        var results = await client.DetectAsync([ColourCodedDetector.SolidFrame(9, 99, 19), ColourCodedDetector.SolidFrame(8, 88, 18)]);

        ColourCodedDetector.AssertSame(ColourCodedDetector.Expected(9, 99, 19), Assert.Single(results[0]));
        ColourCodedDetector.AssertSame(ColourCodedDetector.Expected(8, 88, 18), Assert.Single(results[1]));
    }

    public static TheoryData<string> Damages => ["missing num_detections", "short boxes", "count too large", "bad shape"];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Malformed_or_short_outputs_are_refused_without_retry(string damage)
    {
        Action<PredictResponse> act = damage switch
        {
            "missing num_detections" => r => r.Outputs.Remove("num_detections"),
            "short boxes" => r => { var b = r.Outputs["detection_boxes"]; var keep = b.FloatVal.Take(10).ToArray(); b.FloatVal.Clear(); b.FloatVal.AddRange(keep); b.TensorShape = null; },
            "count too large" => r => r.Outputs["num_detections"].FloatVal[0] = 101,
            _ => r => r.Outputs["detection_scores"].TensorShape.Dim[1].Size = 99,
        };
        _standIn.Enqueue(new Step.Malformed(act));
        using var client = new TfServingObjectDetector(Fast(_standIn.GrpcUrl));

        var ex = await Assert.ThrowsAsync<DetectorUnavailableException>(() => client.DetectAsync(OneFrame));
        Assert.IsType<InvalidDataException>(ex.InnerException);
        Assert.Equal(1, _standIn.Calls);
    }

    [Fact]
    public async Task The_breaker_opens_after_failures_fails_fast_and_closes_when_the_server_recovers()
    {
        var options = Fast(_standIn.GrpcUrl) with
        {
            MaxRetryAttempts = 0,
            BreakerMinimumThroughput = 2,
            BreakerFailureRatio = 0.5,
            BreakerSamplingDuration = TimeSpan.FromSeconds(30),
            BreakerBreakDuration = TimeSpan.FromMilliseconds(500),
        };
        // The breaker's clock: the break duration passes when the test says so, not in real time.
        var time = new FakeTimeProvider();
        using var client = new TfServingObjectDetector(options, null, time);
        _standIn.Enqueue(new Step.Fail(StatusCode.Unavailable, 503), new Step.Fail(StatusCode.Unavailable, 503));
        await Assert.ThrowsAsync<DetectorUnavailableException>(() => client.DetectAsync(OneFrame));
        await Assert.ThrowsAsync<DetectorUnavailableException>(() => client.DetectAsync(OneFrame));
        Assert.Equal(CircuitState.Open, client.CircuitState);

        // Open: fails fast without touching the server, until the break duration is over.
        var ex = await Assert.ThrowsAsync<DetectorUnavailableException>(() => client.DetectAsync(OneFrame));
        Assert.IsType<BrokenCircuitException>(ex.InnerException);
        time.Advance(options.BreakerBreakDuration - TimeSpan.FromMilliseconds(1));
        ex = await Assert.ThrowsAsync<DetectorUnavailableException>(() => client.DetectAsync(OneFrame));
        Assert.IsType<BrokenCircuitException>(ex.InnerException);
        Assert.Equal(2, _standIn.Calls);

        // The server is healthy again (script empty); once the break is over the trial call gets through.
        time.Advance(TimeSpan.FromMilliseconds(1));
        var results = await client.DetectAsync(OneFrame);
        Assert.Single(results[0]);
        Assert.Equal(CircuitState.Closed, client.CircuitState);
        Assert.Equal(3, _standIn.Calls);
    }

    [Fact]
    public async Task Server_absent_at_start_gives_unavailable_then_the_client_recovers_once_it_is_up()
    {
        var port = FreePort();
        var options = Fast($"grpc://127.0.0.1:{port}");
        using var client = new TfServingObjectDetector(options);

        var ex = await Assert.ThrowsAsync<DetectorUnavailableException>(() => client.DetectAsync(OneFrame));
        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(ex.InnerException).StatusCode);

        var detector = new ColourCodedDetector();
        await using var server = await RunningModelServer.StartAsync(detector, grpcPort: port);
        // The channel reconnects after its (short, real-time) backoff; keep producing until it does.
        var results = await Eventually.HoldsAsync(async () =>
        {
            try
            {
                return await client.DetectAsync(OneFrame);
            }
            catch (DetectorUnavailableException)
            {
                return null;
            }
        }, r => r is not null, "the client reaching the server once it is up", 10);
        Assert.Single(results![0]);
    }

    [Fact]
    public async Task Server_killed_mid_stream_every_segment_still_gets_an_answer_and_recovery_is_automatic()
    {
        var detector = new ColourCodedDetector();
        var server = await RunningModelServer.StartAsync(detector);
        var port = server.GrpcPort;
        using var client = new TfServingObjectDetector(Fast(server.GrpcUrl) with
        {
            BreakerMinimumThroughput = 2,
            BreakerBreakDuration = TimeSpan.FromMilliseconds(500),
        });

        var outcomes = new List<string>();
        async Task Segment()
        {
            try
            {
                await client.DetectAsync(OneFrame);
                outcomes.Add("annotated");
            }
            catch (DetectorUnavailableException)
            {
                outcomes.Add("unannotated");
            }
        }

        for (var i = 0; i < 3; i++) await Segment();
        await server.DisposeAsync(); // killed
        for (var i = 0; i < 3; i++) await Segment();
        Assert.Equal(["annotated", "annotated", "annotated", "unannotated", "unannotated", "unannotated"], outcomes);

        await using var restarted = await RunningModelServer.StartAsync(detector, grpcPort: port);
        // Reconnect backoff and the 500 ms break are real time here (the retries' delays are too): keep producing.
        await Eventually.HoldsAsync(async () =>
        {
            await Segment();
            return outcomes[^1];
        }, last => last == "annotated", "the client recovering", 10);
        Assert.Equal(CircuitState.Closed, client.CircuitState);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
