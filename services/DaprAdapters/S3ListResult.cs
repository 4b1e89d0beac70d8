namespace DaprVideo.DaprAdapters;

/// <summary>
/// The S3 binding's <c>list</c> response: the AWS Go SDK's ListObjectsOutput marshalled with Go field names
/// (PascalCase, pointers as null). Only the fields the adapter needs are read; the rest are ignored.
/// </summary>
public sealed record S3ListResult(
    IReadOnlyList<S3ListedObject>? Contents,
    bool? IsTruncated,
    string? Marker,
    string? NextMarker,
    string? Prefix,
    int? MaxKeys,
    string? Name);

/// <summary>One entry of <see cref="S3ListResult.Contents"/>.</summary>
public sealed record S3ListedObject(string? Key, long? Size, string? ETag, DateTimeOffset? LastModified);
