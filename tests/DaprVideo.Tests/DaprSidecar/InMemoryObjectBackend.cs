using System.Security.Cryptography;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>A bucket in memory for quick tests; follows the same S3 rules as the real backend.</summary>
public sealed class InMemoryObjectBackend(string bucket = "daprvideo") : IObjectBackend
{
    private readonly SortedDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);

    public string Bucket { get; } = bucket;

    public Uri Endpoint { get; } = new("http://in-memory.invalid/");

    public int Count { get { lock (_objects) return _objects.Count; } }

    public Task<string?> PutAsync(string key, byte[] content, string? contentType, CancellationToken cancellationToken)
    {
        // S3's ETag of a single-part upload is the MD5 of the body; not used for security.
#pragma warning disable CA5351
        var etag = "\"" + Convert.ToHexStringLower(MD5.HashData(content)) + "\"";
#pragma warning restore CA5351
        lock (_objects) _objects[key] = new StoredObject(content.ToArray(), contentType, etag, DateTimeOffset.UtcNow);
        return Task.FromResult<string?>(null);
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_objects)
            return Task.FromResult(_objects.TryGetValue(key, out var o) ? o.Content.ToArray() : null);
    }

    public string? ContentTypeOf(string key)
    {
        lock (_objects) return _objects.TryGetValue(key, out var o) ? o.ContentType : null;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        lock (_objects) _objects.Remove(key);
        return Task.CompletedTask;
    }

    public Task<ObjectListing> ListAsync(string prefix, string marker, int maxKeys, string delimiter, CancellationToken cancellationToken)
    {
        var objects = new List<ListedObject>();
        var prefixes = new List<string>();
        bool truncated = false;
        string? last = null;
        lock (_objects)
        {
            foreach (var (key, o) in _objects)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal) || string.CompareOrdinal(key, marker) <= 0) continue;
                if (delimiter.Length > 0)
                {
                    var cut = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                    if (cut >= 0)
                    {
                        var common = key[..(cut + delimiter.Length)];
                        if (prefixes.Count > 0 && prefixes[^1] == common) continue;
                        if (objects.Count + prefixes.Count == maxKeys) { truncated = true; break; }
                        prefixes.Add(common);
                        last = common;
                        continue;
                    }
                }
                if (objects.Count + prefixes.Count == maxKeys) { truncated = true; break; }
                objects.Add(new ListedObject(key, o.Content.Length, o.ETag, o.LastModified));
                last = key;
            }
        }
        // Like S3: NextMarker only when a delimiter was given.
        return Task.FromResult(new ObjectListing(objects, prefixes, truncated, truncated && delimiter.Length > 0 ? last : null));
    }

    private sealed record StoredObject(byte[] Content, string? ContentType, string ETag, DateTimeOffset LastModified);
}
