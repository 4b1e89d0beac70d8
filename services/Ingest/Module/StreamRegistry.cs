using System.Globalization;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;

namespace DaprVideo.Ingest;

/// <summary>
/// Ingest's stream registry, kept in the object store (<c>streams/{id}/stream.json</c>) so a restarted
/// Ingest knows which streams to resume and where each stopped. Ingest is the only writer of a descriptor.
/// </summary>
public sealed class StreamRegistry(IObjectStore store)
{
    public async Task<StreamDescriptor?> GetAsync(StreamId id, CancellationToken cancellationToken = default) =>
        await store.GetAsync(ObjectKeys.StreamDescriptor(id), cancellationToken) is { } json ? StreamDescriptor.Parse(json) : null;

    /// <summary>True when the store holds anything of the stream (a descriptor, chunks, segments).</summary>
    public async Task<bool> ExistsAsync(StreamId id, CancellationToken cancellationToken = default) =>
        await store.GetAsync(ObjectKeys.StreamDescriptor(id), cancellationToken) is not null
        || (await store.ListAsync(ObjectKeys.StreamPrefix(id), cancellationToken)).Count > 0;

    public Task SaveAsync(StreamDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return store.PutAsync(ObjectKeys.StreamDescriptor(StreamId.Parse(descriptor.Id)), descriptor.ToJsonBytes(), cancellationToken);
    }

    /// <summary>Every stored descriptor (one listing of the stream tree; used once at start).</summary>
    public async Task<IReadOnlyList<StreamDescriptor>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<StreamDescriptor>();
        foreach (var key in await store.ListAsync(ObjectKeys.StreamsPrefix, cancellationToken))
        {
            var parts = key.Split('/');
            if (parts.Length != 3 || parts[2] != "stream.json" || !StreamId.TryParse(parts[1], out var id)) continue;
            if (await GetAsync(id, cancellationToken) is { } descriptor) list.Add(descriptor);
        }
        return list;
    }

    /// <summary>
    /// Every stored descriptor, and the streams whose descriptor cannot be read (with the reason) instead of failing
    /// the whole listing for one bad file.
    /// </summary>
    public async Task<(IReadOnlyList<StreamDescriptor> Descriptors, IReadOnlyList<(StreamId Id, string Reason)> Unreadable)> ListWithErrorsAsync(
        CancellationToken cancellationToken = default)
    {
        var list = new List<StreamDescriptor>();
        var unreadable = new List<(StreamId, string)>();
        foreach (var key in await store.ListAsync(ObjectKeys.StreamsPrefix, cancellationToken))
        {
            var parts = key.Split('/');
            if (parts.Length != 3 || parts[2] != "stream.json" || !StreamId.TryParse(parts[1], out var id)) continue;
            try
            {
                if (await GetAsync(id, cancellationToken) is { } descriptor) list.Add(descriptor);
            }
            catch (InvalidDataException e)
            {
                unreadable.Add((id, e.Message));
            }
        }
        return (list, unreadable);
    }

    /// <summary>The highest sequence stored for the stream as a raw chunk or a segment record, or -1.</summary>
    public async Task<long> LastStoredSequenceAsync(StreamId id, CancellationToken cancellationToken = default)
    {
        var last = -1L;
        foreach (var key in await store.ListAsync(ObjectKeys.StreamPrefix(id), cancellationToken))
        {
            var parts = key.Split('/');
            if (parts.Length != 4 || parts[2] is not ("chunks" or "segments")) continue;
            var name = parts[3];
            if (name.Length >= 7 && long.TryParse(name.AsSpan(0, name.IndexOf('.', StringComparison.Ordinal) is var dot and > 0 ? dot : name.Length),
                    NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
                last = Math.Max(last, seq);
        }
        return last;
    }
}
