using Dapr.Client;
using DaprVideo.Core.Streams;
using DaprVideo.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;

namespace DaprVideo.Tests.DaprAdapters;

/// <summary>The object-store contract over the stand-in's in-memory bucket, plus the binding's own edges.</summary>
public sealed class DaprObjectStoreTests : DaprObjectStoreContract
{
    private readonly InMemoryObjectBackend _memory = new();

    protected override IObjectBackend CreateBackend() => _memory;

    protected override Task<string?> ContentTypeAsync(string key) => Task.FromResult(_memory.ContentTypeOf(key));

    [Fact]
    public void The_binding_unquotes_raw_data_like_components_contrib()
    {
        Assert.Equal(""u8.ToArray(), S3BindingEmulator.Unquote("null"u8.ToArray()));
        Assert.Equal("abc"u8.ToArray(), S3BindingEmulator.Unquote("\"abc\""u8.ToArray()));
        Assert.Equal("1234"u8.ToArray(), S3BindingEmulator.Unquote("1234"u8.ToArray()));
        Assert.Equal("{\"a\":1}"u8.ToArray(), S3BindingEmulator.Unquote("{\"a\":1}"u8.ToArray()));
        Assert.Equal("not json"u8.ToArray(), S3BindingEmulator.Unquote("not json"u8.ToArray()));
        byte[] binary = [0x47, 0xff, 0xfe, 0x00, 0x80];
        Assert.Equal(binary, S3BindingEmulator.Unquote(binary));
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
        // daprd's default --max-body-size is 4 MiB; binary objects travel as they are.
        var e = await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("streams/a/big.ts", new byte[4_300_000]));
        Assert.Contains("maxBodySize", e.Message, StringComparison.Ordinal);
        Assert.Contains("4300000 bytes", e.Message, StringComparison.Ordinal);
        Assert.Empty(Binding.Operations); // refused before the binding: nothing stored, no retries
    }

    /// <summary>A bucket that refuses the first <paramref name="failures"/> puts, as an RGW restarting would.</summary>
    private sealed class FlakyBackend(IObjectBackend inner, int failures) : IObjectBackend
    {
        private int _left = failures;
        public string Bucket => inner.Bucket;
        public Uri Endpoint => inner.Endpoint;
        public Task<string?> PutAsync(string key, byte[] content, string? contentType, CancellationToken ct) =>
            Interlocked.Decrement(ref _left) >= 0 ? throw new HttpRequestException("Connection refused (127.0.0.1:7480)") : inner.PutAsync(key, content, contentType, ct);
        public Task<byte[]?> GetAsync(string key, CancellationToken ct) => inner.GetAsync(key, ct);
        public Task DeleteAsync(string key, CancellationToken ct) => inner.DeleteAsync(key, ct);
        public Task<ObjectListing> ListAsync(string prefix, string marker, int maxKeys, string delimiter, CancellationToken ct) => inner.ListAsync(prefix, marker, maxKeys, delimiter, ct);
    }

    [Fact]
    public async Task Transient_store_failures_are_retried_by_the_adapter_and_misses_are_not()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(SidecarOptions.WithObjectStore(new FlakyBackend(new InMemoryObjectBackend(), failures: 2)));
        using var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).Build();
        var store = new DaprObjectStore(client, new DaprOptions());
        var key = ObjectKeys.Segment(Stream, 3);

        await store.PutAsync(key, new byte[] { 0x47, 1, 2 });
        Assert.Equal(["create", "create", "create"], sidecar.Bindings["objectstore"].Operations);

        Assert.Null(await store.GetAsync(ObjectKeys.Segment(Stream, 4)));
        Assert.Equal(4, sidecar.Bindings["objectstore"].Operations.Count); // one call for the miss
    }

    [Fact]
    public async Task A_store_that_stays_down_fails_after_the_retries_with_the_bindings_reason()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(SidecarOptions.WithObjectStore(new FlakyBackend(new InMemoryObjectBackend(), failures: 100)));
        using var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).Build();
        var store = new DaprObjectStore(client, new DaprOptions { ObjectStoreRetries = 2 });

        var e = await Assert.ThrowsAsync<IOException>(() => store.PutAsync(ObjectKeys.Segment(Stream, 5), new byte[] { 0x47 }));
        Assert.Contains("s3 binding error: uploading failed: Connection refused", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, sidecar.Bindings["objectstore"].Operations.Count);
    }

    [Fact]
    public async Task Binary_objects_travel_raw_and_JSON_scalars_as_base64()
    {
        await Store.PutAsync(ObjectKeys.Segment(Stream, 1), new byte[] { 0x47, 0x40, 0x11, 0xff });
        await Store.PutAsync(ObjectKeys.SegmentRecord(Stream, 1), "{\"a\":1}"u8.ToArray());
        await Store.PutAsync(ObjectKeys.SegmentRecord(Stream, 2), "\"abc\""u8.ToArray());
        await Store.PutAsync(ObjectKeys.SegmentRecord(Stream, 3), " 12.50 "u8.ToArray());

        Assert.Equal(new byte[] { 0x47, 0x40, 0x11, 0xff }, await Store.GetAsync(ObjectKeys.Segment(Stream, 1)));
        Assert.Equal("{\"a\":1}"u8.ToArray(), await Store.GetAsync(ObjectKeys.SegmentRecord(Stream, 1)));
        Assert.Equal("\"abc\""u8.ToArray(), await Store.GetAsync(ObjectKeys.SegmentRecord(Stream, 2)));
        Assert.Equal(" 12.50 "u8.ToArray(), await Store.GetAsync(ObjectKeys.SegmentRecord(Stream, 3)));
    }
}
