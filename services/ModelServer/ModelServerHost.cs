using DaprVideo.Core.Inference;
using DaprVideo.Core.Ports;
using DaprVideo.ModelServer.Grpc;
using DaprVideo.ModelServer.Rest;
using DaprVideo.ModelServer.Serving;
using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DaprVideo.ModelServer;

/// <summary>
/// Builds the model server: gRPC on <see cref="ModelServerOptions.Port"/> (HTTP/2 cleartext, as
/// TF Serving's gRPC port) and REST on <see cref="ModelServerOptions.RestApiPort"/>, serving the
/// <see cref="IObjectDetector"/> that <paramref name="addDetector"/> registers.
/// </summary>
public static class ModelServerHost
{
    public static WebApplication Build(ModelServerOptions options, Action<IServiceCollection> addDetector)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(addDetector);
        options.Validate();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ModelServerHost).Assembly.GetName().Name,
        });
        // Flags follow tensorflow_model_server; the log level is the one every DaprVideo host reads (LOG_LEVEL).
        builder.Logging.AddDaprVideoLogLevels(LogLevels.Read(new SettingsReader(builder.Configuration)));
        var endpoints = new ModelServerEndpoints();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            kestrel.Listen(options.BindAddress, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                endpoints.Grpc = listen;
            });
            if (options.RestEnabled)
            {
                kestrel.Listen(options.BindAddress, options.RestApiPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    endpoints.Rest = listen;
                });
            }
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(endpoints);
        addDetector(services);
        services.AddSingleton(sp =>
        {
            var detector = sp.GetRequiredService<IObjectDetector>();
            // --enable_batching: pool concurrent requests into one model run, as TF Serving's batcher does.
            if (options.EnableBatching)
            {
                detector = new FrameBatcher(detector, new FrameBatcherOptions
                {
                    BatchSize = options.MaxBatchSize,
                    BatchTimeout = options.BatchTimeout,
                    QueueCapacity = Math.Max(options.MaxBatchSize * 8, 64),
                    MaxConcurrentBatches = options.NumBatchThreads,
                });
            }
            return new DetectionServable(detector, options);
        });
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxRequestBytes;
            grpc.MaxSendMessageSize = null;
        });

        var app = builder.Build();
        app.MapGrpcService<PredictionGrpcService>();
        app.MapGrpcService<ModelGrpcService>();
        app.MapTfServingRestApi();
        return app;
    }
}
