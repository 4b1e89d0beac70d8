using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// A real S3 bucket behind the stand-in's binding (Ceph RGW in the tests), reached the way the binding
/// reaches it: path-style addressing against an explicit endpoint.
/// </summary>
public sealed class S3ObjectBackend : IObjectBackend, IDisposable
{
    private readonly AmazonS3Client _s3;

    public S3ObjectBackend(Uri endpoint, string accessKey, string secretKey, string bucket)
    {
        Endpoint = endpoint;
        Bucket = bucket;
        _s3 = new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), new AmazonS3Config
        {
            ServiceURL = endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            // RGW does not need the newer default checksums; keep requests plain.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
    }

    public string Bucket { get; }

    public Uri Endpoint { get; }

    public async Task<string?> PutAsync(string key, byte[] content, string? contentType, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(content, writable: false);
        var response = await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = body,
            ContentType = contentType,
            UseChunkEncoding = false,
        }, cancellationToken);
        return response.VersionId;
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _s3.GetObjectAsync(Bucket, key, cancellationToken);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey" || e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        _s3.DeleteObjectAsync(Bucket, key, cancellationToken);

    public async Task<ObjectListing> ListAsync(string prefix, string marker, int maxKeys, string delimiter, CancellationToken cancellationToken)
    {
        var response = await _s3.ListObjectsAsync(new ListObjectsRequest
        {
            BucketName = Bucket,
            Prefix = prefix,
            Marker = marker,
            MaxKeys = maxKeys,
            Delimiter = delimiter.Length > 0 ? delimiter : null,
        }, cancellationToken);
        var objects = (response.S3Objects ?? [])
            .Select(o => new ListedObject(o.Key, o.Size ?? 0, o.ETag, new DateTimeOffset(o.LastModified ?? DateTime.UnixEpoch)))
            .ToList();
        return new ObjectListing(objects, response.CommonPrefixes ?? [], response.IsTruncated ?? false,
            string.IsNullOrEmpty(response.NextMarker) ? null : response.NextMarker);
    }

    public void Dispose() => _s3.Dispose();
}
