using System.Net;
using System.Security.Cryptography;
using System.Text;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// A protocol-faithful stand-in for daprd (test code only; no daprd can be installed here). It listens on
/// loopback: one HTTP/2 cleartext port for gRPC (PublishEvent, InvokeBinding on bindings.aws.s3 and bindings.http, GetSecret, GetBulkSecret) and one HTTP/1.1
/// port for the HTTP API it needs (<c>/v1.0/healthz</c>, <c>/v1.0/healthz/outbound</c>, <c>/v1.0/secrets/...</c>),
/// like daprd's 50001/3500.
/// Point DaprClient at it with <see cref="GrpcEndpoint"/>/<see cref="HttpEndpoint"/> (or DAPR_GRPC_ENDPOINT /
/// DAPR_HTTP_ENDPOINT), then <see cref="ConnectAppAsync"/> the app that subscribes.
/// </summary>
public sealed class DaprSidecarStandIn : IAsyncDisposable
{
    private readonly WebApplication _host;
    private readonly ListenOptions _grpcListen;
    private readonly ListenOptions _httpListen;
    private readonly byte[]? _daprApiToken;
    private readonly AppPostman? _postman;
    private readonly List<PublishedEvent> _published = [];

    private DaprSidecarStandIn(SidecarOptions options)
    {
        AppId = options.AppId;
        Bindings = options.Bindings.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        HttpBindings = options.HttpBindings.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        Resiliency = options.Resiliency;
        Secrets = options.Secrets;
        _daprApiToken = options.DaprApiToken is null ? null : Encoding.UTF8.GetBytes(options.DaprApiToken);
        PubSub = new SidecarPubSub(options.Delivery, options.AppApiToken);
        if (options.PubSubs is { } pubsubs)
        {
            PubSubs = pubsubs;
            PubsubNames = new HashSet<string>(pubsubs.Keys, StringComparer.Ordinal);
            _postman = new AppPostman(options.AppApiToken);
            Subscriptions = new DaprdSubscriptions(AppId, pubsubs, Resiliency, _postman);
        }
        else
        {
            PubsubNames = new HashSet<string>(options.PubsubNames, StringComparer.Ordinal);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? grpc = null, http = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0, l => { l.Protocols = HttpProtocols.Http2; grpc = l; });
            k.Listen(IPAddress.Loopback, 0, l => { l.Protocols = HttpProtocols.Http1; http = l; });
        });
        builder.Services.AddGrpc(o =>
        {
            // daprd's default --max-body-size.
            o.MaxReceiveMessageSize = options.MaxBodyBytes;
            o.MaxSendMessageSize = options.MaxBodyBytes;
        });
        builder.Services.AddSingleton(this);
        builder.Services.AddSingleton<DaprGrpcService>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<DaprGrpcService>, DaprGrpcMethodProvider>());

        _host = builder.Build();
        _host.MapGrpcService<DaprGrpcService>();
        _host.MapGet("/v1.0/healthz", () => Results.NoContent());
        _host.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
        // dapr pkg/api/http/secrets.go; "bulk" is its own route, matched before {key} (chi: static segments first).
        _host.MapGet("/v1.0/secrets/{store}/bulk", (string store, HttpContext http) =>
            SecretResult(http, () => Results.Json(Secrets.Bulk(store))));
        _host.MapGet("/v1.0/secrets/{store}/{key}", (string store, string key, HttpContext http) =>
            SecretResult(http, () => Results.Json(Secrets.Get(store, key))));
        _grpcListen = grpc!;
        _httpListen = http!;
    }

    public string AppId { get; }

    /// <summary>The secrets API's stores and scopes.</summary>
    public SidecarSecrets Secrets { get; }

    /// <summary>
    /// daprd's HTTP API token check (pkg/api/http/middlewares.go <c>APITokenAuthMiddleware</c>: every route but the health
    /// ones answers 401 "invalid api token" as plain text without the right <c>dapr-api-token</c>), then the call, with an
    /// APIError answered as <c>{"errorCode","message"}</c> and its HTTP status (pkg/api/http/responses.go).
    /// </summary>
    private IResult SecretResult(HttpContext http, Func<IResult> call)
    {
        if (_daprApiToken is not null)
        {
            var presented = http.Request.Headers["dapr-api-token"].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _daprApiToken))
                return Results.Text("invalid api token\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
        }
        try
        {
            return call();
        }
        catch (SecretApiException e)
        {
            return Results.Json(new Dictionary<string, string> { ["errorCode"] = e.ErrorCode, ["message"] = e.Message }, statusCode: (int)e.HttpStatus);
        }
    }

    public IReadOnlySet<string> PubsubNames { get; }

    public IReadOnlyDictionary<string, S3BindingEmulator> Bindings { get; }

    /// <summary>The <c>bindings.http</c> output bindings by component name.</summary>
    public IReadOnlyDictionary<string, HttpBindingEmulator> HttpBindings { get; }

    /// <summary>The output binding called <paramref name="name"/>, whatever its type (daprd's component store).</summary>
    public IOutputBinding? OutputBinding(string name) =>
        Bindings.TryGetValue(name, out var s3) ? s3 : HttpBindings.TryGetValue(name, out var http) ? http : null;

    /// <summary>The in-memory broker (when no <see cref="SidecarOptions.PubSubs"/> are given): publish log, delivery log, dead letters, settle hook, app (re)connection.</summary>
    public SidecarPubSub PubSub { get; }

    /// <summary>Pub/sub components over real brokers (daprd mode), or null.</summary>
    public IReadOnlyDictionary<string, PubSubComponent>? PubSubs { get; }

    /// <summary>daprd's subscription side in daprd mode: deliveries, dead letters, refused subscriptions.</summary>
    public DaprdSubscriptions? Subscriptions { get; }

    public Resiliency.ResiliencySpec Resiliency { get; }

    /// <summary>Every CloudEvent this sidecar put on a broker in daprd mode (test hook: sizes).</summary>
    public IReadOnlyList<PublishedEvent> Published { get { lock (_published) return [.. _published]; } }

    internal void RecordPublished(PublishedEvent e)
    {
        lock (_published) _published.Add(e);
    }

    public string GrpcEndpoint => $"http://127.0.0.1:{GrpcPort}";

    public int GrpcPort => _grpcListen.IPEndPoint!.Port;

    public int HttpPort => _httpListen.IPEndPoint!.Port;

    public string HttpEndpoint => $"http://127.0.0.1:{HttpPort}";

    public static async Task<DaprSidecarStandIn> StartAsync(SidecarOptions options)
    {
        var sidecar = new DaprSidecarStandIn(options);
        await sidecar._host.StartAsync();
        return sidecar;
    }

    /// <summary>Reads the app's <c>GET /dapr/subscribe</c> and starts delivering to it.</summary>
    public Task ConnectAppAsync(Uri appBaseAddress, string? appId = null) =>
        Subscriptions is { } daprd ? daprd.StartAsync(appBaseAddress, CancellationToken.None) : PubSub.ConnectAppAsync(appId ?? AppId, appBaseAddress);

    /// <summary>daprd started with DAPR_API_TOKEN rejects calls without it.</summary>
    internal void CheckApiToken(ServerCallContext context)
    {
        if (_daprApiToken is null) return;
        var presented = context.RequestHeaders.GetValue("dapr-api-token");
        if (presented is null)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing api token in request metadata"));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _daprApiToken))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authentication error: api token mismatch"));
    }

    public async ValueTask DisposeAsync()
    {
        if (Subscriptions is not null) await Subscriptions.DisposeAsync();
        foreach (var p in PubSubs?.Values ?? []) await p.Broker.DisposeAsync();
        _postman?.Dispose();
        foreach (var http in HttpBindings.Values) http.Dispose();
        await PubSub.DisposeAsync();
        await _host.StopAsync();
        await _host.DisposeAsync();
    }
}

/// <summary>Configuration of a stand-in sidecar: its components and delivery behaviour.</summary>
public sealed record SidecarOptions
{
    public string AppId { get; init; } = "test-app";

    public IReadOnlyList<string> PubsubNames { get; init; } = ["pubsub"];

    /// <summary>Output bindings by component name (the <c>bindings.aws.s3</c> emulation).</summary>
    public IReadOnlyDictionary<string, S3BindingEmulator> Bindings { get; init; } = new Dictionary<string, S3BindingEmulator>();

    /// <summary>Output bindings of type <c>bindings.http</c> by component name.</summary>
    public IReadOnlyDictionary<string, HttpBindingEmulator> HttpBindings { get; init; } = new Dictionary<string, HttpBindingEmulator>();

    /// <summary>Token the app must present (daprd's DAPR_API_TOKEN).</summary>
    public string? DaprApiToken { get; init; }

    /// <summary>Token sent to the app on deliveries (daprd's APP_API_TOKEN).</summary>
    public string? AppApiToken { get; init; }

    public DeliveryPolicy Delivery { get; init; } = new();

    /// <summary>daprd's --max-body-size: the largest gRPC message either way (dapr pkg/api/grpc/server.go).</summary>
    public int MaxBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>daprd mode: pub/sub components over real brokers (replaces the in-memory broker and <see cref="PubsubNames"/>).</summary>
    public IReadOnlyDictionary<string, PubSubComponent>? PubSubs { get; init; }

    /// <summary>The Resiliency policies applied to binding calls, publishes and deliveries (daprd mode).</summary>
    public Resiliency.ResiliencySpec Resiliency { get; init; } = DaprSidecar.Resiliency.ResiliencySpec.None;

    /// <summary>The secret stores and secret scopes behind the secrets API (none: "secret store is not configured").</summary>
    public SidecarSecrets Secrets { get; init; } = SidecarSecrets.None;

    /// <summary>A sidecar with the <c>objectstore</c> binding over <paramref name="backend"/>.</summary>
    public static SidecarOptions WithObjectStore(IObjectBackend backend) =>
        new() { Bindings = new Dictionary<string, S3BindingEmulator> { ["objectstore"] = new S3BindingEmulator(backend) } };
}
