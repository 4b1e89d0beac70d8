using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Ports;

/// <summary>
/// Where a host keeps the credentialed form of a stream's source (the URL with its userinfo and tokens), by stream
/// id, outside the stream records and outside anything served, so a restart can resume the stream (embedded: a file
/// only the service can read). A host without one does not keep inline credentials.
/// </summary>
public interface ICredentialStore
{
    Task SaveAsync(StreamId id, string location, CancellationToken cancellationToken = default);

    /// <summary>The stream's credentialed location, or null when none is kept.</summary>
    Task<string?> GetAsync(StreamId id, CancellationToken cancellationToken = default);

    /// <summary>Forgets the stream's entry (nothing happens when there is none).</summary>
    Task DeleteAsync(StreamId id, CancellationToken cancellationToken = default);
}
