using System.Net;
using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;
using DaprVideo.DaprAdapters;
using DaprVideo.Settings;
using DaprVideo.Tests.DaprSidecar;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.DaprAdapters;

/// <summary>APP_API_TOKEN on incoming calls, health/readiness with the sidecar, metrics, options validation.</summary>
public sealed class AppTokenAndHealthTests
{
    private static Dictionary<string, string?> Token(string token) => new() { [SettingsCatalogue.AppApiToken.Name] = token };

    [Fact]
    public async Task Calls_without_the_app_token_are_rejected_but_probes_are_not()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
        {
            a.MapGet("/api/ping", () => "pong");
            a.MapGet("/viewer/index.html", () => "public");
        }, Token("app-s3cret"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/ping")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("dapr/subscribe")).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/ping") { Headers = { { "dapr-api-token", "guess" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        using var right = new HttpRequestMessage(HttpMethod.Get, "api/ping") { Headers = { { "dapr-api-token", "app-s3cret" } } };
        Assert.Equal("pong", await (await http.SendAsync(right)).Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("metrics")).StatusCode);
    }

    [Fact]
    public async Task The_sidecar_presenting_the_app_token_gets_its_events_through()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions { AppApiToken = "app-s3cret" });
        var received = 0;
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
            a.MapEventSubscription<StreamEnded>(Topics.Streams, (_, _) => { Interlocked.Increment(ref received); return Task.CompletedTask; }),
            Token("app-s3cret"));
        await sidecar.ConnectAppAsync(app.BaseAddress);

        await app.Services.GetRequiredService<IEventPublisher>().PublishAsync(Topics.Streams, new StreamEnded("cam", 1));
        await sidecar.PubSub.WhenSettledAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, received);
    }

    [Fact]
    public async Task Public_paths_named_by_the_host_stay_open()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
        {
            a.MapGet("/viewer/index.html", () => "public");
            a.MapGet("/api/ping", () => "pong");
        }, Token("t"), new PathString("/viewer"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        Assert.Equal("public", await http.GetStringAsync("viewer/index.html"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/ping")).StatusCode);
    }

    [Fact]
    public async Task Readiness_fails_when_the_sidecar_is_gone()
    {
        var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        await using var app = await SubscriberAppHost.StartAsync(sidecar, _ => { });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/ready")).StatusCode);

        await sidecar.DisposeAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live")).StatusCode);
    }

    [Theory]
    [InlineData("PUBSUB_NAME", "pub sub")]
    [InlineData("OBJECTSTORE_BINDING", "../x")]
    [InlineData("DAPR_HTTP_PORT", "99999")]
    [InlineData("DAPR_GRPC_ENDPOINT", "ftp://x")]
    [InlineData("APP_API_TOKEN", "two words")]
    public void Bad_configuration_names_the_variable(string variable, string value)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [variable] = value }).Build();
        var e = Assert.Throws<SettingsException>(() => DaprOptions.FromConfiguration(config));
        Assert.StartsWith(variable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_follow_the_dapr_conventions()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DAPR_HTTP_PORT"] = "3601" }).Build();
        var options = DaprOptions.FromConfiguration(config);
        Assert.Equal(("pubsub", "objectstore"), (options.PubsubName, options.ObjectStoreBinding));
        Assert.Equal(new Uri("http://127.0.0.1:3601"), options.SidecarHttpEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:50001"), options.SidecarGrpcEndpoint);
        Assert.Null(options.AppApiToken);
    }
}
