using DaprVideo.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// What every DaprVideo host shares (in the spirit of dotnet/eShop's ServiceDefaults): OpenTelemetry traces and
/// metrics, a Prometheus scrape endpoint, liveness/readiness health endpoints and JSON console logs at the levels of
/// <see cref="LogLevels"/> (LOG_LEVEL).
/// The Dapr adapters are added separately (DaprVideo.DaprAdapters.DaprAdapterExtensions, project services/DaprAdapters) so the embedded host
/// gets the same telemetry without a sidecar check.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string LivenessPath = "/health/live";
    public const string ReadinessPath = "/health/ready";
    public const string MetricsPath = "/metrics";

    /// <summary>Tag of the checks that say the process itself is alive; readiness runs every check.</summary>
    public const string LiveTag = "live";

    /// <summary>ActivitySource and Meter names under this prefix are collected.</summary>
    public const string TelemetryPrefix = "DaprVideo";

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = new SettingsReader(builder.Configuration);

        // One JSON object per line: what log collectors parse without a grammar.
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.AddDaprVideoLogLevels(LogLevels.Read(settings));

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Environment.ApplicationName))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(TelemetryPrefix + ".*")
                .AddPrometheusExporter())
            .WithTracing(t => t
                .AddSource(TelemetryPrefix + ".*")
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !IsInfrastructurePath(ctx.Request.Path))
                .AddHttpClientInstrumentation());

        // Export only where a collector is configured; Prometheus scraping works either way.
        if (settings.IsSet(SettingsCatalogue.OtlpEndpoint))
            otel.UseOtlpExporter();

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        // SIGTERM/Ctrl+C: the graceful stop (draining included) ends within SHUTDOWN_TIMEOUT.
        builder.Services.AddShutdownTimeout(settings.ShutdownTimeout());

        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        app.MapHealthChecks(ReadinessPath);
        return app;
    }

    /// <summary>Probe and scrape paths: not traced, and not guarded by the app token (probes carry none).</summary>
    public static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase);
}
