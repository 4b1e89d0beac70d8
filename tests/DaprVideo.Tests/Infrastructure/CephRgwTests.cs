using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using DaprVideo.Core.Streams;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Infrastructure;

/// <summary>The real Ceph RGW behaves like the S3 the distributed mode relies on (keys as <see cref="ObjectKeys"/> spells them).</summary>
[Collection(CephRgwCollectionDefinition.Name)]
[Trait("Speed", "Slow")]
public sealed class CephRgwTests : IDisposable
{
    private readonly CephRgwFixture _ceph;
    private readonly ITestOutputHelper _output;
    private readonly AmazonS3Client _s3;
    // Each test writes under its own stream so tests sharing the bucket never see each other.
    private readonly StreamId _stream = StreamId.Parse("t" + Guid.NewGuid().ToString("N")[..12]);

    public CephRgwTests(CephRgwFixture ceph, ITestOutputHelper output)
    {
        _ceph = ceph;
        _output = output;
        _s3 = ceph.CreateS3Client();
    }

    public void Dispose() => _s3.Dispose();

    [Fact]
    public async Task Put_then_get_returns_the_bytes_and_content_type()
    {
        var key = ObjectKeys.SegmentRecord(_stream, 1);
        var body = "{\"sequence\":1}"u8.ToArray();

        await PutAsync(key, body, "application/json");

        using var response = await _s3.GetObjectAsync(_ceph.Bucket, key);
        Assert.Equal("application/json", response.Headers.ContentType);
        Assert.Equal(body, await ReadAllAsync(response));
    }

    [Fact]
    public async Task Overwrite_replaces_the_object()
    {
        var key = ObjectKeys.StreamDescriptor(_stream);
        await PutAsync(key, "first"u8.ToArray());
        await PutAsync(key, "second, longer"u8.ToArray());

        Assert.Equal("second, longer"u8.ToArray(), await GetAsync(key));
    }

    [Fact]
    public async Task Missing_key_gives_NoSuchKey()
    {
        var error = await Assert.ThrowsAsync<NoSuchKeyException>(
            () => _s3.GetObjectAsync(_ceph.Bucket, ObjectKeys.Chunk(_stream, 42)));

        Assert.Equal("NoSuchKey", error.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Delete_removes_the_object_and_is_idempotent()
    {
        var key = ObjectKeys.Chunk(_stream, 3);
        await PutAsync(key, new byte[] { 1, 2, 3 });

        await _s3.DeleteObjectAsync(_ceph.Bucket, key);
        await _s3.DeleteObjectAsync(_ceph.Bucket, key); // a redelivered delete must not fail

        var error = await Assert.ThrowsAsync<NoSuchKeyException>(() => _s3.GetObjectAsync(_ceph.Bucket, key));
        Assert.Equal("NoSuchKey", error.ErrorCode);
    }

    [Fact]
    public async Task List_by_prefix_pages_through_every_key_in_order()
    {
        var segments = Enumerable.Range(0, 7).Select(seq => ObjectKeys.Segment(_stream, seq)).ToList();
        var others = new[] { ObjectKeys.Chunk(_stream, 0), ObjectKeys.StreamDescriptor(_stream) };
        await Task.WhenAll(segments.Concat(others).Select(key => PutAsync(key, [0x47])));

        var pages = new List<List<string>>();
        string? token = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _ceph.Bucket,
                Prefix = ObjectKeys.SegmentsPrefix(_stream),
                MaxKeys = 3,
                ContinuationToken = token,
            });
            pages.Add((page.S3Objects ?? []).Select(o => o.Key).ToList());
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(segments, pages.SelectMany(p => p)); // zero-padded sequences list in order
    }

    [Fact]
    public async Task Five_megabyte_object_round_trips_byte_identical()
    {
        var body = new byte[5 * 1024 * 1024];
        new Random(20261125).NextBytes(body);
        var key = ObjectKeys.Segment(_stream, 0);

        await PutAsync(key, body, "video/mp2t");

        var read = await GetAsync(key);
        Assert.Equal(body.Length, read.Length);
        Assert.True(body.AsSpan().SequenceEqual(read), "the object read back differs from the one stored");
    }

    // Not a benchmark: a bound that catches a misconfigured gateway, and the figure for the notes.
    [Fact]
    public async Task Segment_sized_put_and_get_stay_fast()
    {
        const int Requests = 50;
        var body = new byte[300 * 1024];
        new Random(7).NextBytes(body);
        var puts = new List<double>(Requests);
        var gets = new List<double>(Requests);

        for (var i = 0; i < Requests; i++)
        {
            var key = ObjectKeys.Segment(_stream, i);
            var clock = Stopwatch.StartNew();
            await PutAsync(key, body, "video/mp2t");
            puts.Add(clock.Elapsed.TotalMilliseconds);

            clock.Restart();
            var read = await GetAsync(key);
            gets.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(body.Length, read.Length);
        }

        var (putP50, getP50) = (Median(puts), Median(gets));
        _output.WriteLine($"300 KB over {Requests} requests: put p50 {putP50:0.0} ms, get p50 {getP50:0.0} ms; cluster start {_ceph.StartDuration.TotalSeconds:0.0} s");
        Assert.True(putP50 < 250, $"put p50 {putP50:0.0} ms");
        Assert.True(getP50 < 250, $"get p50 {getP50:0.0} ms");
    }

    private async Task PutAsync(string key, byte[] body, string contentType = "application/octet-stream")
    {
        using var stream = new MemoryStream(body, writable: false);
        await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _ceph.Bucket,
            Key = key,
            InputStream = stream,
            ContentType = contentType,
        });
    }

    private async Task<byte[]> GetAsync(string key)
    {
        using var response = await _s3.GetObjectAsync(_ceph.Bucket, key);
        return await ReadAllAsync(response);
    }

    private static async Task<byte[]> ReadAllAsync(GetObjectResponse response)
    {
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
