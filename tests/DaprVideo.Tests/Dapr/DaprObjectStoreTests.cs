using System.Text;
using Dapr.Client;
using DaprVideo.Core.Streams;
using DaprVideo.ServiceDefaults.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;

namespace DaprVideo.Tests.Dapr;

/// <summary>DaprObjectStore through DaprClient, the stand-in's gRPC and its S3 binding emulation (in-memory bucket).</summary>
public sealed class DaprObjectStoreTests : IAsyncLifetime
{
    private readonly InMemoryObjectBackend _bucket = new();
    private DaprSidecarStandIn _sidecar = null!;
    private DaprClient _client = null!;
    private DaprObjectStore _store = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await DaprSidecarStandIn.StartAsync(SidecarOptions.WithObjectStore(_bucket));
        _client = new DaprClientBuilder().UseGrpcEndpoint(_sidecar.GrpcEndpoint).UseHttpEndpoint(_sidecar.HttpEndpoint).Build();
        _store = new DaprObjectStore(_client, new DaprOptions());
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task Every_byte_value_round_trips()
    {
        var bytes = Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 256)).ToArray();
        var key = ObjectKeys.Chunk(StreamId.Parse("cam-1"), 7);

        await _store.PutAsync(key, bytes);

        Assert.Equal(bytes, await _store.GetAsync(key));
        Assert.Equal(bytes, await _bucket.GetAsync(key, default));
        Assert.Equal("video/mp2t", _bucket.ContentTypeOf(key));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("1234")]
    [InlineData("\"quoted\"")]
    [InlineData("true")]
    [InlineData("")]
    public async Task Contents_that_look_like_json_are_stored_verbatim(string text)
    {
        // The binding JSON-unquotes create data: raw "null" would be stored as "", "1234" re-formatted.
        var bytes = Encoding.UTF8.GetBytes(text);
        await _store.PutAsync("streams/cam/stream.json", bytes);
        Assert.Equal(bytes, await _store.GetAsync("streams/cam/stream.json"));
    }

    [Fact]
    public void The_binding_unquotes_raw_data_like_components_contrib()
    {
        Assert.Equal("", S3BindingEmulator.Unquote("null"u8.ToArray()));
        Assert.Equal("abc", S3BindingEmulator.Unquote("\"abc\""u8.ToArray()));
        Assert.Equal("{\"a\":1}", S3BindingEmulator.Unquote("{\"a\":1}"u8.ToArray()));
        Assert.Equal("not json", S3BindingEmulator.Unquote("not json"u8.ToArray()));
    }

    [Fact]
    public async Task Missing_key_reads_as_null_and_deletes_are_idempotent()
    {
        Assert.Null(await _store.GetAsync("streams/cam/segments/000001.ts"));

        await _store.PutAsync("streams/cam/segments/000001.ts", new byte[] { 1, 2, 3 });
        await _store.DeleteAsync("streams/cam/segments/000001.ts");
        await _store.DeleteAsync("streams/cam/segments/000001.ts");

        Assert.Null(await _store.GetAsync("streams/cam/segments/000001.ts"));
        Assert.Equal(0, _bucket.Count);
    }

    [Fact]
    public async Task List_returns_keys_under_the_prefix_in_ordinal_order()
    {
        foreach (var key in new[] { "streams/b/segments/000002.ts", "streams/a/x.json", "streams/b/segments/000001.ts", "streams/bb/y.ts" })
            await _store.PutAsync(key, new byte[] { 0 });

        Assert.Equal(["streams/b/segments/000001.ts", "streams/b/segments/000002.ts"], await _store.ListAsync("streams/b/"));
        Assert.Equal(4, (await _store.ListAsync("")).Count);
        Assert.Empty(await _store.ListAsync("streams/none/"));
    }

    [Fact]
    public async Task List_follows_markers_across_pages()
    {
        // Seed the bucket directly: 2,345 keys need three 1,000-key pages (S3 gives no NextMarker without a delimiter).
        var expected = Enumerable.Range(0, 2345).Select(i => $"streams/big/segments/{i:D6}.json").ToList();
        foreach (var key in expected) await _bucket.PutAsync(key, [1], null, default);
        await _bucket.PutAsync("streams/other/a.json", [1], null, default);

        var listed = await _store.ListAsync("streams/big/");

        Assert.Equal(expected, listed);
        Assert.Equal(3, _sidecar.Bindings["objectstore"].Operations.Count(o => o == "list"));
    }

    [Fact]
    public async Task Unsafe_keys_never_reach_the_binding()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync("streams/../etc/passwd", new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.GetAsync("/abs"));
        Assert.Empty(_sidecar.Bindings["objectstore"].Operations);
    }

    [Fact]
    public async Task Unknown_binding_fails_with_a_clear_error()
    {
        var store = new DaprObjectStore(_client, new DaprOptions { ObjectStoreBinding = "nosuch" });
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
}
