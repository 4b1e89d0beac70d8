using System.Diagnostics;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Tensorflow.Serving;

namespace DaprVideo.TfServing;

/// <summary>
/// <see cref="IObjectDetector"/> backed by a TF Serving compatible server (the real
/// tensorflow_model_server or our ModelServer). Each call sends the frames, scaled to the
/// model's input size, as one uint8 [N,H,W,3] tensor (split into requests of at most
/// <see cref="TfServingOptions.BatchSize"/> frames).
/// </summary>
/// <remarks>
/// Failures of the server surface as <see cref="DetectorUnavailableException"/> after the
/// resilience pipeline gave up (or while its circuit is open); bad frames raise
/// <see cref="ArgumentException"/>; the caller's cancellation raises <see cref="OperationCanceledException"/>.
/// </remarks>
public sealed partial class TfServingObjectDetector : IObjectDetector, IDisposable
{
    private readonly ITfServingTransport _transport;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly ILogger _logger;

    public TfServingObjectDetector(TfServingOptions options, ILogger<TfServingObjectDetector>? logger = null, TimeProvider? timeProvider = null)
        : this(options, logger, timeProvider, handler: null)
    {
    }

    /// <param name="handler">HTTP handler for the channel (tests, custom TLS); the detector disposes it.</param>
    public TfServingObjectDetector(TfServingOptions options, ILogger<TfServingObjectDetector>? logger, TimeProvider? timeProvider, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _transport = options.Protocol == TfServingProtocol.Grpc
            ? new GrpcTfServingTransport(options, handler)
            : new RestTfServingTransport(options, handler);
        _pipeline = TfServingResilience.Build(options, timeProvider ?? TimeProvider.System, _breaker, _logger);
    }

    public TfServingOptions Options { get; }

    /// <summary>Closed (calls flow), Open (failing fast), HalfOpen (one trial call), Isolated.</summary>
    public CircuitState CircuitState => _breaker.CircuitState;

    public async Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        foreach (var frame in frames) frame.Validate();

        var results = new IReadOnlyList<Detection>[frames.Count];
        var start = 0;
        while (start < frames.Count)
        {
            var count = ChunkLength(frames, start);
            var chunk = new ImageFrame[count];
            for (var i = 0; i < count; i++) chunk[i] = frames[start + i];
            var detections = await PredictAsync(chunk, cancellationToken).ConfigureAwait(false);
            detections.CopyTo(results, start);
            start += count;
        }
        return results;
    }

    /// <summary>The Predict request this client sends for <paramref name="frames"/> (for tests and measurement).</summary>
    public PredictRequest BuildRequest(IReadOnlyList<ImageFrame> frames)
    {
        var request = new PredictRequest
        {
            ModelSpec = new ModelSpec { Name = Options.ModelName, SignatureName = Options.SignatureName },
        };
        request.Inputs[Options.InputName] = InputTensorEncoder.Encode(frames, Options.InputSize);
        return request;
    }

    /// <summary>Body bytes the request for <paramref name="frames"/> puts on the wire with this protocol.</summary>
    public long MeasureRequestBytes(IReadOnlyList<ImageFrame> frames) => _transport.MeasureRequest(BuildRequest(frames));

    public void Dispose() => _transport.Dispose();

    // Frames of one request: at most BatchSize, and of one size when sent whole.
    private int ChunkLength(IReadOnlyList<ImageFrame> frames, int start)
    {
        var end = Math.Min(frames.Count, start + Options.BatchSize);
        if (Options.InputSize != TfServingOptions.FullFrame) return end - start;
        var n = 1;
        while (start + n < end && frames[start + n].Width == frames[start].Width && frames[start + n].Height == frames[start].Height) n++;
        return n;
    }

    private async Task<IReadOnlyList<Detection>[]> PredictAsync(ImageFrame[] frames, CancellationToken cancellationToken)
    {
        // Encoded once; retries resend the same message.
        var request = BuildRequest(frames);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var results = await _pipeline.ExecuteAsync(
                static async (state, token) =>
                {
                    var response = await state.Self._transport.PredictAsync(state.Request, token).ConfigureAwait(false);
                    return DetectionOutputDecoder.Decode(response.Outputs, state.Count, state.Self.Options.ScoreThreshold);
                },
                (Self: this, Request: request, Count: frames.Length),
                cancellationToken).ConfigureAwait(false);
            if (Options.Debug)
            {
                var bytes = request.CalculateSize();
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                LogPredicted(_logger, frames.Length, bytes, ms);
            }
            return results;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException ex)
        {
            throw new DetectorUnavailableException(
                $"TF Serving at {Options.Endpoint} is unavailable: circuit open after repeated failures ({TfServingResilience.Describe(ex.InnerException)}).", ex);
        }
        catch (Exception ex) when (TfServingResilience.IsServerFailure(ex))
        {
            throw new DetectorUnavailableException(
                $"TF Serving at {Options.Endpoint} ({Options.Protocol}, model '{Options.ModelName}') failed: {TfServingResilience.Describe(ex)}", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TF Serving predicted {Frames} frames ({Bytes} request bytes) in {Ms:F1} ms")]
    private static partial void LogPredicted(ILogger logger, int frames, int bytes, double ms);
}
