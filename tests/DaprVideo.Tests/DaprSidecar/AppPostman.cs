using System.Net.Http.Headers;
using System.Text.Json;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// Delivers one CloudEvent to an app route over HTTP and reads the answer the way daprd's HTTP postman does
/// (dapr/dapr pkg/runtime/subscription/postman/http/http.go): 2xx + {"status":"SUCCESS"|""}, an empty or
/// unparsable body → success; RETRY or an unknown status → retriable; DROP or HTTP 404 → dropped
/// (ErrMessageDropped: dead-lettered when the route has a dead-letter topic); any other status or a
/// connection error → retriable.
/// </summary>
public sealed class AppPostman(string? appApiToken) : IDisposable
{
    // The traceparent sent is the CloudEvent's (as daprd does), so the client must not inject its own.
    private readonly HttpClient _http = new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { Timeout = Timeout.InfiniteTimeSpan };

    public string? AppApiToken { get; } = appApiToken;

    /// <summary>GET /dapr/subscribe: what the app subscribes to.</summary>
    public async Task<IReadOnlyList<AppSubscription>> SubscriptionsAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, "dapr/subscribe"));
        if (AppApiToken is not null) request.Headers.Add("dapr-api-token", AppApiToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return AppSubscription.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public async Task<(DeliveryOutcome Outcome, int Status)> DeliverAsync(
        Uri address, string route, byte[] cloudEvent, string? traceParent, string? traceState, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, route.TrimStart('/')))
        {
            Content = new ByteArrayContent(cloudEvent),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventEnvelope.ContentType);
        if (CloudEventEnvelope.ChildOf(traceParent) is { } child) request.Headers.TryAddWithoutValidation("traceparent", child);
        if (!string.IsNullOrEmpty(traceState)) request.Headers.TryAddWithoutValidation("tracestate", traceState);
        if (AppApiToken is not null) request.Headers.Add("dapr-api-token", AppApiToken);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException)
        {
            return (DeliveryOutcome.Unreachable, 0);
        }

        using (response)
        {
            var code = (int)response.StatusCode;
            if (code is >= 200 and <= 299)
            {
                var status = Status(await response.Content.ReadAsByteArrayAsync(ct));
                if (status is null) return (DeliveryOutcome.Success, code);
                return status switch
                {
                    null or "" or "SUCCESS" => (DeliveryOutcome.Success, code),
                    "DROP" => (DeliveryOutcome.Drop, code),
                    _ => (DeliveryOutcome.Retry, code),
                };
            }
            return code == 404 ? (DeliveryOutcome.Drop, code) : (DeliveryOutcome.Retry, code);
        }
    }

    /// <summary>
    /// Go's json.Decoder into AppResponse: the first JSON value only (trailing bytes ignored), field names matched
    /// case-insensitively; null when the body is empty or not an object with a string status.
    /// </summary>
    private static string? Status(byte[] body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            if (!JsonDocument.TryParseValue(ref reader, out var doc)) return null;
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
                foreach (var p in doc.RootElement.EnumerateObject())
                    if (string.Equals(p.Name, "status", StringComparison.OrdinalIgnoreCase))
                        return p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
                return "";
            }
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
