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
/// broker that gives up waiting does not waste a half-done segment; at shutdown it is cancelled and the
/// unacknowledged event is delivered again to the next replica.
/// </summary>
public sealed class ChunkProcessingGate(ChunkProcessor processor, InferenceSettings settings, IHostApplicationLifetime lifetime) : IDisposable
{
    private readonly ConcurrentDictionary<(string Stream, long Sequence), Lazy<Task>> _inFlight = new();
    private readonly SemaphoreSlim _slots = new(settings.ChunkConcurrency, settings.ChunkConcurrency);

    public async Task HandleAsync(ChunkCaptured chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var key = (chunk.StreamId, chunk.Sequence);
        var work = _inFlight.GetOrAdd(key, _ => new Lazy<Task>(() => RunAsync(chunk)));
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
        var stopping = lifetime.ApplicationStopping;
        await _slots.WaitAsync(stopping);
        try
        {
            await processor.ProcessAsync(chunk, stopping);
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

    public void Dispose() => _slots.Dispose();
}
