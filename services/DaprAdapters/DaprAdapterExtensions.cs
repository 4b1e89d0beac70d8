using Dapr;
using Dapr.Client;
using DaprVideo.Core.Ports;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.DaprAdapters;

/// <summary>Wires a distributed host to its sidecar: options, DaprClient, the two ports, readiness, token, events.</summary>
public static class DaprAdapterExtensions
{
    /// <summary>
    /// Reads and validates <see cref="DaprOptions"/> now (bad values stop the host here), registers a
    /// <see cref="DaprClient"/> for the configured sidecar, <see cref="IObjectStore"/> = <see cref="DaprObjectStore"/>,
    /// <see cref="IEventPublisher"/> = <see cref="DaprEventPublisher"/>, <see cref="ISecretStore"/> = <see cref="DaprSecretStore"/>, and the sidecar readiness check.
    /// </summary>
    public static WebApplicationBuilder AddDaprAdapters(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = DaprOptions.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(options);

        builder.Services.AddDaprClient(client =>
        {
            client.UseGrpcEndpoint(options.SidecarGrpcEndpoint.ToString())
                .UseHttpEndpoint(options.SidecarHttpEndpoint.ToString())
                .UseGrpcChannelOptions(new GrpcChannelOptions
                {
                    MaxSendMessageSize = options.MaxGrpcMessageBytes,
                    MaxReceiveMessageSize = options.MaxGrpcMessageBytes,
                });
            if (options.DaprApiToken is { } token) client.UseDaprApiToken(token);
        });
        builder.Services.AddSingleton<IObjectStore>(sp => new DaprObjectStore(sp.GetRequiredService<DaprClient>(), options));
        builder.Services.AddSingleton<IEventPublisher>(sp => new DaprEventPublisher(sp.GetRequiredService<DaprClient>(), options));
        builder.Services.AddSingleton<ISecretStore>(sp => new DaprSecretStore(sp.GetRequiredService<DaprClient>(), options));

        builder.Services.AddHttpClient(DaprSidecarHealthCheck.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(3));
        builder.Services.AddHealthChecks().AddCheck<DaprSidecarHealthCheck>("dapr-sidecar");
        return builder;
    }

    /// <summary>
    /// The app token check (when APP_API_TOKEN is set), the CloudEvents middleware and <c>GET /dapr/subscribe</c>.
    /// Call before mapping subscriptions. <paramref name="publicPaths"/> stay reachable without the token.
    /// </summary>
    public static WebApplication UseDaprAdapters(this WebApplication app, params PathString[] publicPaths)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<DaprOptions>();
        if (options.AppApiToken is { } token)
            app.UseMiddleware<AppTokenMiddleware>(token, publicPaths);

        // The id is forwarded so handlers can log which event they dropped or retried.
        app.UseCloudEvents(new CloudEventsMiddlewareOptions
        {
            ForwardCloudEventPropertiesAsHeaders = true,
            IncludedCloudEventPropertiesAsHeaders = ["id", "topic", "source"],
        });
        app.MapSubscribeHandler();
        return app;
    }
}
