using DaprVideo.DaprAdapters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.Distributed;

/// <summary>
/// One real distributed service host (the same <see cref="DistributedHost.Build"/> its Program.cs runs) on a
/// loopback port, configured through the variables daprd and dapr.yaml would give it.
/// </summary>
public sealed class ServiceApp : IAsyncDisposable
{
    private ServiceApp(string appId, WebApplication app, Uri baseAddress)
    {
        AppId = appId;
        App = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string AppId { get; }
    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => App.Services;

    public static async Task<ServiceApp> StartAsync(string appId, int defaultPort,
        Action<WebApplicationBuilder> addModule, Action<WebApplication> mapModule, IDictionary<string, string?> settings)
    {
        var app = DistributedHost.Build([], defaultPort, addModule, mapModule, builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:DaprVideo"] = "Warning",
                // Readiness polls before the rebuild is done are expected here.
                ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical",
            });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ServiceApp(appId, app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
