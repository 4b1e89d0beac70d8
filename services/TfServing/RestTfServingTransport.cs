using System.Buffers;
using System.Net.Http.Headers;
using Tensorflow.Serving;

namespace DaprVideo.TfServing;

/// <summary><c>POST /v1/models/{name}:predict</c> with a columnar JSON body.</summary>
internal sealed class RestTfServingTransport : ITfServingTransport
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    private readonly Uri _predictUri;

    public RestTfServingTransport(TfServingOptions options, HttpMessageHandler? handler)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = options.RequestTimeout }, disposeHandler: true)
        {
            MaxResponseContentBufferSize = options.MaxMessageBytes,
            // The resilience pipeline owns timeouts.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        // The model name was validated (letters, digits, '_', '-', '.'), so it is safe in the path.
        _predictUri = new Uri(options.Endpoint, $"/v1/models/{options.ModelName}:predict");
    }

    public async Task<PredictResponse> PredictAsync(PredictRequest request, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(1 << 20);
        RestPredictJson.WriteRequest(request, body);
        using var content = new ReadOnlyMemoryContent(body.WrittenMemory);
        content.Headers.ContentType = Json;
        using var response = await _http.PostAsync(_predictUri, content, cancellationToken).ConfigureAwait(false);
        var reply = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new TfServingHttpException(response.StatusCode, RestPredictJson.ReadError(reply));
        return RestPredictJson.ReadResponse(reply);
    }

    public long MeasureRequest(PredictRequest request)
    {
        var body = new ArrayBufferWriter<byte>(1 << 20);
        RestPredictJson.WriteRequest(request, body);
        return body.WrittenCount;
    }

    public void Dispose() => _http.Dispose();
}
