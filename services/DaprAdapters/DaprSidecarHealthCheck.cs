using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// Readiness includes the sidecar: daprd answers <c>GET /v1.0/healthz/outbound</c> with 204 once its
/// components are ready for the app to call (the outbound half, which is what this app needs).
/// </summary>
public sealed class DaprSidecarHealthCheck(IHttpClientFactory httpClients, DaprOptions options) : IHealthCheck
{
    public const string HttpClientName = "dapr-sidecar-health";
    public const string OutboundPath = "v1.0/healthz/outbound";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var uri = new Uri(options.SidecarHttpEndpoint, OutboundPath);
        try
        {
            using var client = httpClients.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (options.DaprApiToken is { } token) request.Headers.Add(DaprOptions.ApiTokenHeader, token);
            using var response = await client.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Dapr sidecar {uri} answered {(int)response.StatusCode}.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"Dapr sidecar {uri} unreachable: {e.Message}");
        }
    }
}
