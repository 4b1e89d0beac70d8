namespace DaprVideo.Core.Ports;

/// <summary>
/// Where every byte lives: a directory on disk (embedded) or S3/Ceph through Dapr's binding.
/// Keys come only from <see cref="Streams.ObjectKeys"/>. Writes are whole-object and atomic:
/// a reader sees the old object or the new one, never a torn one.
/// </summary>
public interface IObjectStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The object's bytes, or null when there is no such key.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Keys under <paramref name="prefix"/>, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default);
}
