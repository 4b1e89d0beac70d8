using System.Text;
using Dapr;
using Dapr.Client;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.DaprSidecar.Resiliency;

namespace DaprVideo.Tests.DaprSidecarTests;

/// <summary>
/// The stand-in's bindings.http against a real Kestrel receiver, through DaprClient and the stand-in's gRPC
/// InvokeBinding, as components-contrib bindings/http/http.go behaves.
/// </summary>
public sealed class HttpBindingEmulatorTests
{
    private static async Task<(DaprSidecarStandIn, DaprClient)> StartAsync(Dictionary<string, string> metadata, string? resiliency = null)
    {
        var binding = new HttpBindingEmulator("hook", metadata);
        var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions
        {
            HttpBindings = new Dictionary<string, HttpBindingEmulator> { ["hook"] = binding },
            Resiliency = resiliency is null ? ResiliencySpec.None : ResiliencySpec.Parse([resiliency]),
        });
        return (sidecar, new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).Build());
    }

    [Fact]
    public async Task Create_posts_the_data_to_url_plus_path_with_capitalised_metadata_as_headers()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Answer = _ => 200;
        var (sidecar, client) = await StartAsync(new() { ["url"] = receiver.Url("base/"), ["securityToken"] = "tok", ["securityTokenHeader"] = "X-Token" });
        await using var _ = sidecar;
        using var __ = client;

        var request = new BindingRequest("hook", "create") { Data = Encoding.UTF8.GetBytes("""{"a":1}""") };
        request.Metadata["path"] = "/in";
        request.Metadata["Idempotency-Key"] = "k1";
        request.Metadata["lowercase"] = "not a header";
        var response = await client.InvokeBindingAsync(request);

        var got = Assert.Single(receiver.Requests);
        Assert.Equal(("POST", "/base/in"), (got.Method, got.Path));
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(got.Body));
        Assert.Equal("k1", got.Headers["Idempotency-Key"]);
        Assert.Equal("tok", got.Headers["X-Token"]);
        Assert.Equal("application/json; charset=utf-8", got.Headers["Content-Type"]);
        Assert.False(got.Headers.ContainsKey("lowercase"));
        Assert.Equal("200", response.Metadata["statusCode"]);
        Assert.Equal("200 OK", response.Metadata["status"]);
        Assert.Equal("""{"ok":true}""", Encoding.UTF8.GetString(response.Data.Span));
    }

    [Fact]
    public async Task A_status_outside_2xx_is_an_error_with_the_code_unless_errorIfNot2XX_is_off()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Answer = _ => 404;
        var (sidecar, client) = await StartAsync(new() { ["url"] = receiver.Url("x") });
        await using var _ = sidecar;
        using var __ = client;

        var e = await Assert.ThrowsAsync<DaprException>(() => client.InvokeBindingAsync(new BindingRequest("hook", "post") { Data = "{}"u8.ToArray() }));
        var rpc = Assert.IsType<Grpc.Core.RpcException>(e.InnerException);
        Assert.Equal(Grpc.Core.StatusCode.Internal, rpc.StatusCode);
        Assert.Equal("error invoking output binding hook: received status code 404", rpc.Status.Detail);

        var tolerant = new BindingRequest("hook", "get");
        tolerant.Metadata["errorIfNot2XX"] = "false";
        var response = await client.InvokeBindingAsync(tolerant);
        Assert.Equal("404", response.Metadata["statusCode"]);
        Assert.Equal(["POST", "GET"], receiver.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task Unknown_operations_and_unreachable_urls_fail_as_daprd_says_with_the_password_hidden()
    {
        var (sidecar, client) = await StartAsync(new() { ["url"] = "http://user:hunter2@127.0.0.1:1/hook" });
        await using var _ = sidecar;
        using var __ = client;

        var e = await Assert.ThrowsAsync<DaprException>(() => client.InvokeBindingAsync(new BindingRequest("hook", "publish")));
        Assert.Contains("binding hook does not support operation publish. supported operations:create get head post put patch delete options trace",
            ((Grpc.Core.RpcException)e.InnerException!).Status.Detail, StringComparison.Ordinal);

        e = await Assert.ThrowsAsync<DaprException>(() => client.InvokeBindingAsync(new BindingRequest("hook", "create") { Data = "{}"u8.ToArray() }));
        var detail = ((Grpc.Core.RpcException)e.InnerException!).Status.Detail;
        Assert.StartsWith("error invoking output binding hook: Post \"http://user:***@127.0.0.1:1/hook\": ", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseTimeout_cuts_a_hanging_receiver_and_the_outbound_policy_retries_it()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Hang = true;
        var (sidecar, client) = await StartAsync(new() { ["url"] = receiver.Url("slow"), ["responseTimeout"] = "200ms" }, """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: r
            spec:
              policies:
                retries:
                  twice:
                    policy: constant
                    duration: 10ms
                    maxRetries: 1
              targets:
                components:
                  hook:
                    outbound:
                      retry: twice
            """);
        await using var _ = sidecar;
        using var __ = client;

        var e = await Assert.ThrowsAsync<DaprException>(() => client.InvokeBindingAsync(new BindingRequest("hook", "create") { Data = "{}"u8.ToArray() }));
        Assert.EndsWith("context deadline exceeded", ((Grpc.Core.RpcException)e.InnerException!).Status.Detail, StringComparison.Ordinal);
        Assert.Equal(["create", "create"], sidecar.HttpBindings["hook"].Operations);
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received), n => n == 2, "both attempts to reach the receiver", 10);
    }
}
