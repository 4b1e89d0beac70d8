namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// Where the stand-in's S3 binding keeps objects: one bucket, S3 semantics (ordinal key order, ListObjects v1
/// paging with marker/NextMarker, delete of a missing key succeeds).
/// </summary>
public interface IObjectBackend
{
    /// <summary>Bucket name as the binding's <c>bucket</c> metadata would say it (used in locations and listings).</summary>
    string Bucket { get; }

    /// <summary>Base of the object URLs the create response reports as <c>location</c>.</summary>
    Uri Endpoint { get; }

    Task<string?> PutAsync(string key, byte[] content, string? contentType, CancellationToken cancellationToken);

    /// <summary>The object, or null when the key does not exist (S3 NoSuchKey).</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);

    Task<ObjectListing> ListAsync(string prefix, string marker, int maxKeys, string delimiter, CancellationToken cancellationToken);
}

/// <summary>One ListObjects (v1) page.</summary>
public sealed record ObjectListing(
    IReadOnlyList<ListedObject> Objects,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextMarker);

public sealed record ListedObject(string Key, long Size, string ETag, DateTimeOffset LastModified);
