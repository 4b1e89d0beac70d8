using System.Text;
using Dapr.Client;
using DaprVideo.Core.Streams;
using DaprVideo.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;

namespace DaprVideo.Tests.DaprAdapters;

/// <summary>
/// DaprObjectStore through DaprClient, the stand-in's gRPC and its S3 binding emulation, over a bucket the
/// subclass provides (in memory, or the real Ceph RGW). Each test works under its own stream id so tests
/// sharing a bucket never see each other.
/// </summary>
public abstract class DaprObjectStoreContract : IAsyncLifetime
{
    private DaprSidecarStandIn _sidecar = null!;
    private DaprClient _client = null!;

    protected StreamId Stream { get; } = StreamId.Parse("t" + Guid.NewGuid().ToString("N")[..12]);

    protected IObjectBackend Bucket { get; private set; } = null!;

    protected DaprObjectStore Store { get; private set; } = null!;

    protected S3BindingEmulator Binding => _sidecar.Bindings["objectstore"];

    protected abstract IObjectBackend CreateBackend();

    /// <summary>The content type the bucket stored with the object.</summary>
    protected abstract Task<string?> ContentTypeAsync(string key);

    public async Task InitializeAsync()
    {
        Bucket = CreateBackend();
        _sidecar = await DaprSidecarStandIn.StartAsync(SidecarOptions.WithObjectStore(Bucket));
        _client = new DaprClientBuilder().UseGrpcEndpoint(_sidecar.GrpcEndpoint).UseHttpEndpoint(_sidecar.HttpEndpoint).Build();
        Store = new DaprObjectStore(_client, new DaprOptions());
    }

    public async Task DisposeAsync()
    {
        foreach (var key in await Store.ListAsync(ObjectKeys.StreamPrefix(Stream)))
            await Store.DeleteAsync(key);
        _client.Dispose();
        await _sidecar.DisposeAsync();
        (Bucket as IDisposable)?.Dispose();
    }

    /// <summary>
    /// Retention through the binding's <c>list</c> (paged: two keys a page, marker = last key, as ListObjects v1 without a
    /// delimiter) and <c>delete</c> (a key already deleted by the other replica succeeds, as S3 DeleteObject does).
    /// </summary>
    [Fact]
    public async Task Two_playlist_replicas_apply_retention_through_the_binding_and_converge()
    {
        var paged = new DaprObjectStore(_client, new DaprOptions(), listPageSize: 2);
        await DaprVideo.Tests.Core.Pipeline.RetentionScenario.TwoReplicasConvergeAsync(paged, Stream);
        Assert.Contains("delete", Binding.Operations);
        await paged.DeleteAsync(ObjectKeys.Segment(Stream, 0)); // long gone: still fine
    }

    [Fact]
    public async Task Every_byte_value_round_trips_with_its_content_type()
    {
        var bytes = Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 31 % 256)).ToArray();
        var key = ObjectKeys.Chunk(Stream, 7);

        await Store.PutAsync(key, bytes);

        Assert.Equal(bytes, await Store.GetAsync(key));
        Assert.Equal(bytes, await Bucket.GetAsync(key, default));
        Assert.Equal("video/mp2t", await ContentTypeAsync(key));
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
        var key = ObjectKeys.StreamDescriptor(Stream);
        await Store.PutAsync(key, bytes);
        Assert.Equal(bytes, await Store.GetAsync(key));
    }

    [Fact]
    public async Task Overwrite_replaces_the_object()
    {
        var key = ObjectKeys.StreamDescriptor(Stream);
        await Store.PutAsync(key, "first, longer"u8.ToArray());
        await Store.PutAsync(key, "second"u8.ToArray());
        Assert.Equal("second"u8.ToArray(), await Store.GetAsync(key));
    }

    [Fact]
    public async Task Missing_key_reads_as_null_and_deletes_are_idempotent()
    {
        var key = ObjectKeys.Segment(Stream, 1);
        Assert.Null(await Store.GetAsync(key));

        await Store.PutAsync(key, new byte[] { 1, 2, 3 });
        await Store.DeleteAsync(key);
        await Store.DeleteAsync(key);

        Assert.Null(await Store.GetAsync(key));
        Assert.Empty(await Store.ListAsync(ObjectKeys.StreamPrefix(Stream)));
    }

    [Fact]
    public async Task List_returns_keys_under_the_prefix_in_ordinal_order()
    {
        var keys = new[]
        {
            ObjectKeys.Segment(Stream, 2), ObjectKeys.StreamDescriptor(Stream), ObjectKeys.SegmentRecord(Stream, 1), ObjectKeys.Segment(Stream, 1),
        };
        foreach (var key in keys) await Store.PutAsync(key, new byte[] { 0 });
        // A sibling stream whose id extends this one must not leak into the listing.
        var sibling = StreamId.Parse(Stream.Value + "x");
        await Store.PutAsync(ObjectKeys.Segment(sibling, 1), new byte[] { 0 });

        try
        {
            var segments = await Store.ListAsync(ObjectKeys.SegmentsPrefix(Stream));
            Assert.Equal([ObjectKeys.SegmentRecord(Stream, 1), ObjectKeys.Segment(Stream, 1), ObjectKeys.Segment(Stream, 2)], segments);
            Assert.Equal(keys.Order(StringComparer.Ordinal), await Store.ListAsync(ObjectKeys.StreamPrefix(Stream)));
            Assert.Empty(await Store.ListAsync(ObjectKeys.StreamPrefix(Stream) + "none/"));
        }
        finally
        {
            await Store.DeleteAsync(ObjectKeys.Segment(sibling, 1));
        }
    }

    [Fact]
    public async Task List_follows_markers_across_pages()
    {
        // Without a delimiter S3 gives no NextMarker: the adapter must continue from the last key.
        var expected = Enumerable.Range(0, 23).Select(i => ObjectKeys.SegmentRecord(Stream, i)).ToList();
        foreach (var key in expected) await Bucket.PutAsync(key, [1], null, default);
        var store = new DaprObjectStore(_client, new DaprOptions(), listPageSize: 10);
        var before = Binding.Operations.Count(o => o == "list");

        var listed = await store.ListAsync(ObjectKeys.SegmentsPrefix(Stream));

        Assert.Equal(expected, listed);
        Assert.Equal(3, Binding.Operations.Count(o => o == "list") - before);
    }

    [Fact]
    public async Task Unsafe_keys_never_reach_the_binding()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync("streams/../etc/passwd", new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync("/abs"));
        Assert.Empty(Binding.Operations);
    }
}
