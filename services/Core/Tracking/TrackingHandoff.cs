using System.Collections.Concurrent;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Tracking;

/// <summary>
/// Passes a stream's tracking from each chunk to the next, so tracks and events run on across chunk boundaries and
/// across Inference replicas. A chunk waits for its predecessor's <see cref="StreamTracking"/>: at once when this
/// process tracked it (in memory), else from the store (another replica, or before a restart), polled until
/// <see cref="Timeout"/> — a predecessor that was lost for good must not hold its stream up for long. A predecessor this
/// process is still working on is waited for as long as it takes (it is bounded by its own processing).
/// </summary>
public sealed class TrackingHandoff(IObjectStore store, TimeProvider time, TimeSpan timeout, TimeSpan pollInterval)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<(string Stream, long Sequence), TaskCompletionSource<StreamTracking?>> _local = new();

    public TimeSpan Timeout => timeout;

    /// <summary>This process starts tracking chunk <paramref name="sequence"/>: its successor will wait for it here.</summary>
    public void Begin(StreamId stream, long sequence) => Slot(stream, sequence);

    /// <summary>Chunk <paramref name="sequence"/> is tracked (null: it failed, or was done before and is in the store).</summary>
    public void Complete(StreamId stream, long sequence, StreamTracking? tracking)
    {
        Slot(stream, sequence).TrySetResult(tracking);
        // Nothing waits for older chunks any more.
        _local.TryRemove((stream.Value, sequence - 2), out _);
    }

    /// <summary>
    /// The tracking left by chunk <paramref name="sequence"/> − 1, or null when there is none to continue from (the
    /// first chunk; a predecessor done before tracking existed; one lost for good, after <see cref="Timeout"/>).
    /// </summary>
    public async Task<StreamTracking?> PreviousAsync(StreamId stream, long sequence, CancellationToken cancellationToken)
    {
        if (sequence == 0) return null;
        var previous = sequence - 1;
        if (_local.TryGetValue((stream.Value, previous), out var local))
        {
            if (await local.Task.WaitAsync(cancellationToken) is { } handed) return handed;
        }
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            if (await StoredAsync(stream, previous, cancellationToken) is { } stored) return stored;
            // A predecessor with a segment but no tracking was done before tracking existed: nothing to wait for.
            if (await ExistsAsync(ObjectKeys.SegmentRecord(stream, previous), cancellationToken)) return null;
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero) return null;
            await Task.Delay(left < pollInterval ? left : pollInterval, time, cancellationToken);
        }
    }

    private async Task<StreamTracking?> StoredAsync(StreamId stream, long sequence, CancellationToken cancellationToken)
    {
        var key = ObjectKeys.Tracking(stream, sequence);
        // Listing the exact key answers "is it there" without a failed read (a missing key is an error through Dapr's S3 binding).
        if (!await ExistsAsync(key, cancellationToken)) return null;
        return await store.GetAsync(key, cancellationToken) is { } bytes ? StreamTracking.Parse(bytes) : null;
    }

    private async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        (await store.ListAsync(key, cancellationToken)).Contains(key);

    private TaskCompletionSource<StreamTracking?> Slot(StreamId stream, long sequence) =>
        _local.GetOrAdd((stream.Value, sequence), _ => new TaskCompletionSource<StreamTracking?>(TaskCreationOptions.RunContinuationsAsynchronously));
}
