using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;

namespace DaprVideo.Ingest;

/// <summary>
/// <c>DELETE /api/streams/{id}?purge=true</c>: deletes an ended (or failed) stream and every object under its prefix,
/// forgets it, and announces <see cref="StreamPurged"/> so Playlist forgets it too; the id may then be used again.
/// A running stream is refused (stop it first): purging under a live capture would race its writes. Every step is
/// idempotent, so a purge that failed half way is simply asked for again; the descriptor goes last, so until then the
/// stream is still listed and can be.
/// </summary>
public sealed class StreamPurger(StreamCaptures captures, StreamRegistry registry, IObjectStore store, IEventPublisher events)
{
    /// <summary>False when nothing of the stream is known here or stored; throws <see cref="StreamConflictException"/> while it runs.</summary>
    public async Task<bool> PurgeAsync(StreamId id, CancellationToken cancellationToken = default)
    {
        var status = captures.Get(id);
        if (status is { State: StreamDescriptor.Starting or StreamDescriptor.Running })
            throw new StreamConflictException($"Stream '{id}' is {status.State}; stop it first (DELETE /api/streams/{id}), then purge it.");
        var descriptor = await registry.GetAsync(id, cancellationToken);
        if (descriptor is { IsActive: true } && status is null)
            throw new StreamConflictException($"Stream '{id}' is {descriptor.State} on another Ingest; stop it first, then purge it.");
        var keys = await store.ListAsync(ObjectKeys.StreamPrefix(id), cancellationToken);
        if (status is null && descriptor is null && keys.Count == 0) return false;

        var descriptorKey = ObjectKeys.StreamDescriptor(id);
        foreach (var key in keys)
            if (key != descriptorKey)
                await store.DeleteAsync(key, cancellationToken);
        await store.DeleteAsync(descriptorKey, cancellationToken);
        captures.Forget(id);
        // Started-at tells this stream from one created again under the same id, should the event come late.
        var startedAt = descriptor?.StartedAt ?? status?.StartedAt ?? DateTimeOffset.UtcNow;
        await events.PublishAsync(Topics.Purges, new StreamPurged(id.Value, startedAt), cancellationToken);
        return true;
    }
}
