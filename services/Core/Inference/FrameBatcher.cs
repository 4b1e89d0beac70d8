using System.Threading.Channels;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Inference;


/// <summary>
/// An <see cref="IObjectDetector"/> decorator that pools frames from all concurrent callers
/// (every stream) into batches of up to <see cref="FrameBatcherOptions.BatchSize"/>, or whatever
/// arrived within <see cref="FrameBatcherOptions.BatchTimeout"/> of a batch's first frame, sends
/// each batch as one call to the inner detector and hands every caller its own results.
/// </summary>
/// <remarks>
/// The queue is bounded: a caller with more frames than fit waits for room (backpressure).
/// A cancelled caller's frames are dropped if still queued; if a batch already carries them the
/// caller waits for that batch to finish first, because <see cref="ImageFrame"/> borrows the
/// caller's memory for the duration of the call.
/// </remarks>
public sealed class FrameBatcher : IObjectDetector, IAsyncDisposable, IDisposable
{
    private readonly IObjectDetector _inner;
    private readonly FrameBatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<PendingFrame> _queue;
    private readonly SemaphoreSlim _batchSlots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    private readonly Lock _statsLock = new();
    private readonly long[] _sizeCounts;
    private long _batches;
    private long _frames;
    private long _failedBatches;

    public FrameBatcher(IObjectDetector inner, FrameBatcherOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _inner = inner;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _queue = Channel.CreateBounded<PendingFrame>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _batchSlots = new SemaphoreSlim(options.MaxConcurrentBatches, options.MaxConcurrentBatches);
        _sizeCounts = new long[options.BatchSize + 1];
        _loop = Task.Run(RunAsync);
    }

    public FrameBatcherOptions Options => _options;

    public async Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (frames.Count == 0) return [];
        // A bad frame must fail its own caller, not a batch shared with other streams.
        foreach (var frame in frames) frame.Validate();

        var pending = new PendingFrame?[frames.Count];
        try
        {
            for (var i = 0; i < frames.Count; i++)
            {
                var item = new PendingFrame(frames[i]);
                await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
                pending[i] = item;
            }

            var results = new IReadOnlyList<Detection>[frames.Count];
            for (var i = 0; i < results.Length; i++)
                results[i] = await pending[i]!.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return results;
        }
        catch (ChannelClosedException)
        {
            await WithdrawAsync(pending).ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(FrameBatcher));
        }
        catch
        {
            await WithdrawAsync(pending).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Batch sizes achieved so far.</summary>
    public FrameBatcherStats GetStats()
    {
        lock (_statsLock)
            return new FrameBatcherStats(_batches, _frames, _failedBatches, (long[])_sizeCounts.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        // Wait for batches in flight: they complete (or fail) their callers.
        for (var i = 0; i < _options.MaxConcurrentBatches; i++)
            await _batchSlots.WaitAsync().ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var left))
            if (left.TryDispatch()) left.Result.TrySetException(new ObjectDisposedException(nameof(FrameBatcher)));
        _batchSlots.Dispose();
        _stopping.Dispose();
    }

    /// <summary>For containers that dispose synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Drops the caller's queued frames; waits out the ones a batch already carries.</summary>
    private static async Task WithdrawAsync(PendingFrame?[] pending)
    {
        foreach (var item in pending)
        {
            if (item is null || item.TryWithdraw()) continue;
            try
            {
                await item.Result.Task.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The caller is already failing for its own reason; this frame's outcome does not matter.
            }
        }
    }

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                await _batchSlots.WaitAsync(token).ConfigureAwait(false);
                var batch = await GatherAsync(reader, token).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    _batchSlots.Release();
                    continue;
                }
                // On the pool: an in-process model runs synchronously inside DetectAsync, and run here it would hold the
                // loop, so batches would never overlap whatever MaxConcurrentBatches says.
                _ = Task.Run(() => DispatchAsync(batch));
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task<List<PendingFrame>> GatherAsync(ChannelReader<PendingFrame> reader, CancellationToken token)
    {
        var batch = new List<PendingFrame>(_options.BatchSize);
        long firstFrameAt = 0;
        while (batch.Count < _options.BatchSize)
        {
            while (batch.Count < _options.BatchSize && reader.TryRead(out var item))
            {
                if (!item.TryDispatch()) continue; // withdrawn by a cancelled caller
                if (batch.Count == 0) firstFrameAt = _time.GetTimestamp();
                batch.Add(item);
            }
            if (batch.Count >= _options.BatchSize) break;

            if (batch.Count == 0)
            {
                // Nothing live yet: the clock starts with the first real frame.
                try
                {
                    if (!await reader.WaitToReadAsync(token).ConfigureAwait(false)) break;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }

            var remaining = _options.BatchTimeout - _time.GetElapsedTime(firstFrameAt);
            if (remaining <= TimeSpan.Zero) break;
            using var timeout = new CancellationTokenSource(remaining, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, token);
            try
            {
                if (!await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false)) break;
            }
            catch (OperationCanceledException)
            {
                break; // timed out (send what we have) or disposing (fail below in dispatch)
            }
        }
        return batch;
    }

    private async Task DispatchAsync(List<PendingFrame> batch)
    {
        try
        {
            var frames = new ImageFrame[batch.Count];
            for (var i = 0; i < frames.Length; i++) frames[i] = batch[i].Frame;

            IReadOnlyList<Detection>[] results;
            try
            {
                results = await _inner.DetectAsync(frames, _stopping.Token).ConfigureAwait(false);
                if (results is null || results.Length != frames.Length)
                    throw new InvalidOperationException(
                        $"Inner detector returned {results?.Length ?? 0} results for {frames.Length} frames.");
            }
            catch (Exception ex)
            {
                lock (_statsLock) _failedBatches++;
                foreach (var item in batch) item.Result.TrySetException(ex);
                return;
            }

            lock (_statsLock)
            {
                _batches++;
                _frames += batch.Count;
                _sizeCounts[batch.Count]++;
            }
            for (var i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(results[i]);
        }
        finally
        {
            _batchSlots.Release();
        }
    }

    /// <summary>One caller's frame on its way through the queue.</summary>
    private sealed class PendingFrame(ImageFrame frame)
    {
        private const int Queued = 0;
        private const int Dispatched = 1;
        private const int Withdrawn = 2;
        private int _state;

        public ImageFrame Frame { get; } = frame;

        public TaskCompletionSource<IReadOnlyList<Detection>> Result { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryDispatch() => Interlocked.CompareExchange(ref _state, Dispatched, Queued) == Queued;

        public bool TryWithdraw() => Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued;
    }
}
