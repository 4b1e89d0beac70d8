using System.Net;
using DaprVideo.DaprAdapters;
using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;
using DaprVideo.Tests.DaprSidecar;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.DaprAdapters;

/// <summary>
/// A minimal distributed host on loopback, composed exactly as a real one (ServiceDefaults + Dapr adapters),
/// configured through the same variables daprd's environment gives an app.
/// </summary>
public sealed class SubscriberAppHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SubscriberAppHost(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public static async Task<SubscriberAppHost> StartAsync(
        DaprSidecarStandIn sidecar, Action<WebApplication> map, IDictionary<string, string?>? settings = null,
        params PathString[] publicPaths)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var config = new Dictionary<string, string?>
        {
            [SettingsCatalogue.DaprGrpcEndpoint.Name] = sidecar.GrpcEndpoint,
            [SettingsCatalogue.DaprHttpEndpoint.Name] = sidecar.HttpEndpoint,
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;
        builder.Configuration.AddInMemoryCollection(config);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.AddServiceDefaults();
        builder.AddDaprAdapters();

        var app = builder.Build();
        app.UseDaprAdapters(publicPaths);
        app.MapDefaultEndpoints();
        map(app);
        await app.StartAsync();

        var host = new SubscriberAppHost(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        host.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
