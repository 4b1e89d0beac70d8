using Amazon.S3.Model;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.Infrastructure;

namespace DaprVideo.Tests.DaprAdapters;

/// <summary>The same object-store contract with the stand-in's binding storing into the real Ceph RGW.</summary>
[Collection(CephRgwCollectionDefinition.Name)]
[Trait("Speed", "Slow")]
public sealed class DaprObjectStoreCephTests(CephRgwFixture ceph) : DaprObjectStoreContract
{
    protected override IObjectBackend CreateBackend() =>
        new S3ObjectBackend(new Uri(ceph.Endpoint), ceph.AccessKey, ceph.SecretKey, ceph.Bucket);

    protected override async Task<string?> ContentTypeAsync(string key)
    {
        using var s3 = ceph.CreateS3Client();
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = ceph.Bucket, Key = key });
        return head.Headers.ContentType;
    }
}
