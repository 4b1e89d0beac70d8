using System.Net;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace DaprVideo.TfServing;

/// <summary>
/// The Polly v8 pipeline around one Predict call, outermost first: retry (transient failures
/// only, exponential backoff with jitter) -> circuit breaker (any server-side failure) ->
/// per-attempt timeout.
/// </summary>
internal static partial class TfServingResilience
{
    public static ResiliencePipeline Build(TfServingOptions options, TimeProvider time, CircuitBreakerStateProvider state, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                OnRetry = args =>
                {
                    LogRetry(logger, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, Describe(args.Outcome.Exception));
                    return default;
                },
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsServerFailure),
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerMinimumThroughput,
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakerBreakDuration,
            StateProvider = state,
            OnOpened = args =>
            {
                LogOpened(logger, args.BreakDuration.TotalSeconds, Describe(args.Outcome.Exception));
                return default;
            },
            OnHalfOpened = _ =>
            {
                LogHalfOpened(logger);
                return default;
            },
            OnClosed = _ =>
            {
                LogClosed(logger);
                return default;
            },
        });
        builder.AddTimeout(options.RequestTimeout);
        return builder.Build();
    }

    /// <summary>Worth retrying: the server may answer next time.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted,
        TfServingHttpException http => http.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
        HttpRequestException => true, // connection refused or dropped
        TimeoutRejectedException => true,
        _ => false,
    };

    /// <summary>The server (or the path to it) failed, as opposed to our caller cancelling or our own bug.</summary>
    public static bool IsServerFailure(Exception exception) => exception switch
    {
        RpcException rpc => rpc.StatusCode != StatusCode.Cancelled,
        TfServingHttpException or InvalidDataException or BrokenCircuitException => true,
        _ => IsTransient(exception),
    };

    public static string Describe(Exception? exception) => exception switch
    {
        null => "no exception",
        RpcException rpc => $"gRPC {rpc.StatusCode}: {rpc.Status.Detail}",
        TimeoutRejectedException => "timed out",
        _ => exception.Message,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "TF Serving call failed, retry {Attempt} in {DelayMs:F0} ms: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, double delayMs, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "TF Serving circuit opened for {Seconds:F1} s: {Reason}")]
    private static partial void LogOpened(ILogger logger, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "TF Serving circuit half-open: trying one call")]
    private static partial void LogHalfOpened(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "TF Serving circuit closed: server answering again")]
    private static partial void LogClosed(ILogger logger);
}
