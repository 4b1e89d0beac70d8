using System.Net;
using DaprVideo.Core.Ports;
using DaprVideo.ModelServer;
using DaprVideo.TfServing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.TfServing.Support;

/// <summary>Our ModelServer on loopback with OS-chosen ports, serving the given detector.</summary>
internal sealed class RunningModelServer : IAsyncDisposable
{
    private RunningModelServer(WebApplication app, int grpcPort, int restPort)
    {
        App = app;
        GrpcPort = grpcPort;
        RestPort = restPort;
    }

    public WebApplication App { get; }
    public int GrpcPort { get; }
    public int RestPort { get; }
    public string GrpcUrl => $"grpc://127.0.0.1:{GrpcPort}";
    public string RestUrl => $"http://127.0.0.1:{RestPort}";

    public static async Task<RunningModelServer> StartAsync(IObjectDetector detector, ModelServerOptions? options = null, int grpcPort = 0)
    {
        options ??= new ModelServerOptions { BindAddress = IPAddress.Loopback, Port = grpcPort, RestApiPort = 0 };
        var app = ModelServerHost.Build(options, services => services.AddSingleton(detector));
        await app.StartAsync();
        var endpoints = app.Services.GetRequiredService<ModelServerEndpoints>();
        return new RunningModelServer(app, endpoints.GrpcPort, endpoints.RestPort);
    }

    /// <summary>
    /// Client settings for this server; threshold 0 so every coded detection comes back. Up to 8 frames per request:
    /// these tests are about the wire (one request carries the whole batch the caller gave), so they fix the split
    /// size instead of taking BATCH_SIZE's default (4).
    /// </summary>
    public TfServingOptions ClientOptions(TfServingProtocol protocol) =>
        TfServingOptions.FromUrl(protocol == TfServingProtocol.Grpc ? GrpcUrl : RestUrl) with { ScoreThreshold = 0f, BatchSize = 8 };

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
