using Grpc.Net.Client;
using Tensorflow.Serving;

namespace DaprVideo.TfServing;

/// <summary><c>tensorflow.serving.PredictionService/Predict</c> over Grpc.Net.Client.</summary>
internal sealed class GrpcTfServingTransport : ITfServingTransport
{
    private readonly GrpcChannel _channel;
    private readonly PredictionService.PredictionServiceClient _client;

    public GrpcTfServingTransport(TfServingOptions options, HttpMessageHandler? handler)
    {
        _channel = GrpcChannel.ForAddress(options.Endpoint, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = options.MaxMessageBytes,
            MaxSendMessageSize = options.MaxMessageBytes,
            // Cancellation (ours or the per-call timeout's) must surface as OperationCanceledException,
            // not RpcException(Cancelled), so Polly can tell a timeout from a server failure.
            ThrowOperationCanceledOnCancellation = true,
            HttpHandler = handler ?? new SocketsHttpHandler
            {
                ConnectTimeout = options.RequestTimeout,
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            },
            DisposeHttpClient = true,
            // The channel waits this long before reconnecting to a server that refused it; the default
            // grows to two minutes, which would keep a restarted server unused long after it is back.
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
            MaxReconnectBackoff = TimeSpan.FromSeconds(2),
        });
        _client = new PredictionService.PredictionServiceClient(_channel);
    }

    public async Task<PredictResponse> PredictAsync(PredictRequest request, CancellationToken cancellationToken) =>
        await _client.PredictAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);

    // Protobuf body plus gRPC's 5-byte message frame header.
    public long MeasureRequest(PredictRequest request) => request.CalculateSize() + 5;

    public void Dispose() => _channel.Dispose();
}
