using System.Collections.Concurrent;
using System.Diagnostics;

using DaprVideo.Tests.DaprSidecar;

namespace DaprVideo.Tests.Distributed;

/// <summary>Passes through to a real backend and notes when each key was first stored (for latency figures).</summary>
public sealed class TimedObjectBackend(IObjectBackend inner) : IObjectBackend
{
    private readonly ConcurrentDictionary<string, long> _firstPut = new(StringComparer.Ordinal);

    public string Bucket => inner.Bucket;
    public Uri Endpoint => inner.Endpoint;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the key's first put completed.</summary>
    public bool TryGetStoredAt(string key, out long timestamp) => _firstPut.TryGetValue(key, out timestamp);

    public async Task<string?> PutAsync(string key, byte[] content, string? contentType, CancellationToken cancellationToken)
    {
        var version = await inner.PutAsync(key, content, contentType, cancellationToken);
        _firstPut.TryAdd(key, Stopwatch.GetTimestamp());
        return version;
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);
    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
    public Task<ObjectListing> ListAsync(string prefix, string marker, int maxKeys, string delimiter, CancellationToken cancellationToken) =>
        inner.ListAsync(prefix, marker, maxKeys, delimiter, cancellationToken);
}
