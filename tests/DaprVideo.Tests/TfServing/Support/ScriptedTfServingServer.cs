using System.Collections.Concurrent;
using System.Net;
using DaprVideo.ModelServer;
using DaprVideo.ModelServer.Rest;
using DaprVideo.ModelServer.Serving;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tensorflow.Serving;

namespace DaprVideo.Tests.TfServing.Support;

/// <summary>One scripted reply of the stand-in server.</summary>
internal abstract record Step
{
    /// <summary>Answer properly (outputs in float_val, or tensor_content form).</summary>
    public sealed record Ok(bool TensorContent = false) : Step;

    /// <summary>Fail with a gRPC status (gRPC) or HTTP status (REST).</summary>
    public sealed record Fail(StatusCode Grpc, int Http) : Step;

    /// <summary>Answer properly after a delay (cut short when the client gives up).</summary>
    public sealed record Slow(TimeSpan Delay) : Step;

    /// <summary>Answer with outputs damaged by <paramref name="Damage"/>.</summary>
    public sealed record Malformed(Action<PredictResponse> Damage) : Step;
}

/// <summary>
/// A protocol-faithful stand-in for TF Serving that follows a script of faults: the same gRPC
/// service (generated from our protos) and REST route, answering with the colour-coded detector
/// when the script says Ok (and when it has run out).
/// </summary>
internal sealed class ScriptedTfServingServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<Step> _script = new();
    private readonly ColourCodedDetector _detector = new();
    private int _calls;
    private WebApplication? _app;
    private readonly DetectionServable _servable;

    private ScriptedTfServingServer()
    {
        _servable = new DetectionServable(_detector, new ModelServerOptions());
    }

    public int Calls => Volatile.Read(ref _calls);
    public int GrpcPort { get; private set; }
    public int RestPort { get; private set; }
    public string GrpcUrl => $"grpc://127.0.0.1:{GrpcPort}";
    public string RestUrl => $"http://127.0.0.1:{RestPort}";

    public void Enqueue(params Step[] steps)
    {
        foreach (var step in steps) _script.Enqueue(step);
    }

    public static async Task<ScriptedTfServingServer> StartAsync()
    {
        var server = new ScriptedTfServingServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        ListenOptions? grpc = null, rest = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => { l.Protocols = HttpProtocols.Http2; grpc = l; });
            k.Listen(IPAddress.Loopback, 0, l => { l.Protocols = HttpProtocols.Http1; rest = l; });
        });
        builder.Services.AddSingleton(server);
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<ScriptedPredictionService>();
        app.MapPost("/v1/models/{**path}", (HttpContext context) => server.HandleRestAsync(context));
        await app.StartAsync();
        server._app = app;
        server.GrpcPort = grpc!.IPEndPoint!.Port;
        server.RestPort = rest!.IPEndPoint!.Port;
        return server;
    }

    internal async Task<PredictResponse> PredictAsync(PredictRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _calls);
        var step = _script.TryDequeue(out var s) ? s : new Step.Ok();
        switch (step)
        {
            case Step.Fail fail:
                throw new RpcException(new Status(fail.Grpc, "scripted failure"));
            case Step.Slow slow:
                await Task.Delay(slow.Delay, context.CancellationToken);
                break;
        }
        var frames = ImageInputDecoder.FromTensor(request.Inputs["inputs"], long.MaxValue);
        var outputs = await _servable.PredictAsync(frames, context.CancellationToken);
        var response = new PredictResponse { ModelSpec = _servable.Spec(withSignature: true) };
        foreach (var name in DetectionOutputs.Names)
            response.Outputs[name] = outputs.ToTensor(name, asTensorContent: step is Step.Ok { TensorContent: true });
        if (step is Step.Malformed malformed) malformed.Damage(response);
        return response;
    }

    private async Task HandleRestAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        var step = _script.TryDequeue(out var s) ? s : new Step.Ok();
        if (step is Step.Fail fail)
        {
            context.Response.StatusCode = fail.Http;
            await context.Response.WriteAsync(RestApi.ErrorJson("scripted failure"));
            return;
        }
        if (step is Step.Slow slow) await Task.Delay(slow.Delay, context.RequestAborted);
        using var document = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
        var request = RestPredictRequest.Parse(document.RootElement);
        var frames = ImageInputDecoder.FromJson(request.Images, long.MaxValue);
        var outputs = await _servable.PredictAsync(frames, context.RequestAborted);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(RestPredictResponse.Columns(outputs));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The stand-in's gRPC service: same generated base class as the real server.</summary>
    internal sealed class ScriptedPredictionService(ScriptedTfServingServer server) : PredictionService.PredictionServiceBase
    {
        public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context) =>
            server.PredictAsync(request, context);
    }
}
