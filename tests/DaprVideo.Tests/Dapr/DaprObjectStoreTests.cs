using Dapr.Client;
using DaprVideo.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;

namespace DaprVideo.Tests.Dapr;

/// <summary>The object-store contract over the stand-in's in-memory bucket, plus the binding's own edges.</summary>
public sealed class DaprObjectStoreTests : DaprObjectStoreContract
{
    private readonly InMemoryObjectBackend _memory = new();

    protected override IObjectBackend CreateBackend() => _memory;

    protected override Task<string?> ContentTypeAsync(string key) => Task.FromResult(_memory.ContentTypeOf(key));

    [Fact]
    public void The_binding_unquotes_raw_data_like_components_contrib()
    {
        Assert.Equal("", S3BindingEmulator.Unquote("null"u8.ToArray()));
        Assert.Equal("abc", S3BindingEmulator.Unquote("\"abc\""u8.ToArray()));
        Assert.Equal("1234", S3BindingEmulator.Unquote("1234"u8.ToArray()));
        Assert.Equal("{\"a\":1}", S3BindingEmulator.Unquote("{\"a\":1}"u8.ToArray()));
        Assert.Equal("not json", S3BindingEmulator.Unquote("not json"u8.ToArray()));
    }

    [Fact]
    public async Task Unknown_binding_fails_with_a_clear_error()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        using var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).Build();
        var store = new DaprObjectStore(client, new DaprOptions { ObjectStoreBinding = "nosuch" });

        var e = await Assert.ThrowsAsync<IOException>(() => store.PutAsync("streams/a/b.ts", new byte[] { 1 }));

        Assert.Contains("nosuch", e.Message, StringComparison.Ordinal);
        Assert.Contains("Internal", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sidecar_api_token_is_required_when_daprd_has_one()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(
            SidecarOptions.WithObjectStore(new InMemoryObjectBackend()) with { DaprApiToken = "s3cret" });
        using var anonymous = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).Build();
        using var trusted = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).UseDaprApiToken("s3cret").Build();

        var e = await Assert.ThrowsAsync<IOException>(() => new DaprObjectStore(anonymous, new DaprOptions()).PutAsync("streams/a/b.ts", new byte[] { 1 }));
        Assert.Contains("Unauthenticated", e.Message, StringComparison.Ordinal);

        await new DaprObjectStore(trusted, new DaprOptions()).PutAsync("streams/a/b.ts", new byte[] { 1 });
    }

    [Fact]
    public async Task An_object_over_daprds_body_limit_is_refused_with_a_clear_error()
    {
        // daprd's default --max-body-size is 4 MiB and objects travel base64-encoded (4/3 larger).
        var e = await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("streams/a/big.ts", new byte[3_300_000]));
        Assert.Contains("ResourceExhausted", e.Message, StringComparison.Ordinal);
    }
}
