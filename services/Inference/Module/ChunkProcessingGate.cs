using System.Collections.Concurrent;
using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Video;
using Microsoft.Extensions.Hosting;

namespace DaprVideo.Inference;

/// <summary>
/// Runs <see cref="ChunkProcessor"/> for delivered <see cref="ChunkCaptured"/> events: at most
/// <see cref="InferenceSettings.ChunkConcurrency"/> chunks at once, and a redelivery of a chunk still in work
/// joins that work instead of starting it again. Work runs on the host's lifetime, not the delivery's, so a
/// broker that gives up waiting does not waste a half-done segment.
/// <para>
/// Stopping (SIGTERM): from <c>ApplicationStopping</c> on no new chunk starts (a delivery is handed back at once:
/// <see cref="ChunkHandedBackException"/>, which the subscription answers with RETRY), chunks in work get
/// <see cref="InferenceSettings.ShutdownDrain"/> to finish (their event is acknowledged as usual), and whatever is still
/// unfinished then is cancelled and handed back too: an unfinished chunk is never acknowledged, so the broker delivers
/// it again (to another replica, or to this one after its restart).
/// </para>
/// </summary>
public sealed class ChunkProcessingGate(ChunkProcessor processor, InferenceSettings settings, IHostApplicationLifetime lifetime)
    : IHostedLifecycleService, IDisposable
{
    private readonly ConcurrentDictionary<(string Stream, long Sequence), Lazy<Task>> _inFlight = new();
    private readonly SemaphoreSlim _slots = new(settings.ChunkConcurrency, settings.ChunkConcurrency);
    private readonly CancellationTokenSource _abort = new();

    /// <summary>Chunks being worked on or waiting for a slot right now.</summary>
    public int InFlight => _inFlight.Count;

    public async Task HandleAsync(ChunkCaptured chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var key = (chunk.StreamId, chunk.Sequence);
        Lazy<Task>? work;
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Stopping: no new work. A redelivery of a chunk still in work may still join it.
            if (!_inFlight.TryGetValue(key, out work)) throw new ChunkHandedBackException(chunk, "the replica is stopping");
        }
        else
        {
            work = _inFlight.GetOrAdd(key, _ => new Lazy<Task>(() => RunAsync(chunk)));
        }
        try
        {
            await work.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (work.Value.IsCompleted) _inFlight.TryRemove(new KeyValuePair<(string, long), Lazy<Task>>(key, work));
        }
    }

    private async Task RunAsync(ChunkCaptured chunk)
    {
        // A chunk still waiting for a slot when the host stops has not started: hand it back at once.
        using (var waitToken = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping, _abort.Token))
        {
            try
            {
                await _slots.WaitAsync(waitToken.Token);
            }
            catch (OperationCanceledException)
            {
                throw new ChunkHandedBackException(chunk, "the replica is stopping");
            }
        }
        try
        {
            await processor.ProcessAsync(chunk, _abort.Token);
        }
        catch (Exception e) when (_abort.IsCancellationRequested && e is not ChunkHandedBackException)
        {
            // Cancelled at the end of the drain (ffmpeg killed, a store call cut short): not done, not poison.
            throw new ChunkHandedBackException(chunk, "the replica stopped before the chunk was done", e);
        }
        catch (MediaException e)
        {
            // A chunk ffmpeg cannot read will not get better: poison (dropped to the dead-letter topic).
            throw new InvalidDataException($"Chunk {chunk.StreamId}/{chunk.Sequence} is not usable video: {e.Message}", e);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Host stop, before Kestrel stops: waits for the chunks in work, up to <see cref="InferenceSettings.ShutdownDrain"/>
    /// (or the host's own deadline), then cancels what is left and waits until each has answered.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(settings.ShutdownDrain);
        var work = _inFlight.Values.Where(l => l.IsValueCreated).Select(l => l.Value).ToList();
        try
        {
            await Task.WhenAll(work).WaitAsync(drain.Token);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            // Out of time: hand the rest back below.
        }
        catch (Exception)
        {
            // A chunk failed: its delivery answers for it.
        }
        await _abort.CancelAsync();
        try
        {
            await Task.WhenAll(_inFlight.Values.Where(l => l.IsValueCreated).Select(l => l.Value)).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
        }
        catch (Exception)
        {
            // Handed back (or timed out): each delivery answers RETRY.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Idempotent: the container disposes it as the gate and again as the hosted service it also is.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _abort.Cancel();
        _abort.Dispose();
        _slots.Dispose();
    }

    private int _disposed;
}

/// <summary>
/// The chunk was not processed because the replica is stopping; it is not poison. The subscription answers RETRY so
/// the broker delivers it again. (An <see cref="OperationCanceledException"/>, never a DROP.)
/// </summary>
public sealed class ChunkHandedBackException(ChunkCaptured chunk, string reason, Exception? inner = null)
    : OperationCanceledException($"Chunk {chunk?.StreamId}/{chunk?.Sequence} handed back: {reason}.", inner);
