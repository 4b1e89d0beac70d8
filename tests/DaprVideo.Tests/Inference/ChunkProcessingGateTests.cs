using System.Diagnostics;
using System.Runtime.CompilerServices;
using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Inference;
using DaprVideo.Media.Codec;
using DaprVideo.Media.Drawing;
using DaprVideo.TfServing;
using Microsoft.Extensions.Hosting;

namespace DaprVideo.Tests.Inference;

/// <summary>
/// Stopping Inference never acknowledges an unfinished chunk: a chunk that finishes within the drain is done as usual;
/// one still in work at the end of the drain, or delivered while stopping, is handed back (an OperationCanceledException,
/// which the subscription answers RETRY), never dropped as poison even when its ffmpeg died of the stop.
/// </summary>
public sealed class ChunkProcessingGateTests
{
    private static readonly ChunkCaptured Chunk = new("cam", 0, ObjectKeys.Chunk(StreamId.Parse("cam"), 0), DateTimeOffset.UnixEpoch, 0, 1, false);

    [Fact]
    public async Task A_chunk_in_work_when_the_drain_ends_is_handed_back_not_dropped()
    {
        using var lifetime = new Lifetime();
        var store = new MemoryStore();
        await store.PutAsync(Chunk.ChunkKey, new byte[] { 0x47, 1, 2, 3 });
        // ffmpeg decoding until it is killed by the cancellation, then failing like a killed process does.
        using var gate = Gate(store, new DecoderKilledByStop(), lifetime, drain: TimeSpan.FromMilliseconds(300));

        var delivery = gate.HandleAsync(Chunk, CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(gate.InFlight), n => n == 1, "the chunk in work");
        lifetime.Stop();
        var clock = Stopwatch.StartNew();
        await gate.StoppingAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<ChunkHandedBackException>(() => delivery);
        Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"stopping took {clock.Elapsed}");
        Assert.Null(await store.GetAsync(ObjectKeys.SegmentRecord(StreamId.Parse("cam"), 0))); // not done, not marked done
    }

    [Fact]
    public async Task A_chunk_that_finishes_within_the_drain_is_done_and_acknowledged()
    {
        using var lifetime = new Lifetime();
        var store = new MemoryStore { HoldRecordReads = true };
        // A record exists: the processor re-announces it once its read returns (the quick path of a redelivery).
        var id = StreamId.Parse("cam");
        await store.PutAsync(ObjectKeys.SegmentRecord(id, 0),
            new SegmentRecord("cam", 0, DateTimeOffset.UnixEpoch, 1, false, true, []).ToJsonBytes());
        using var gate = Gate(store, new DecoderKilledByStop(), lifetime, drain: TimeSpan.FromSeconds(10));

        var delivery = gate.HandleAsync(Chunk, CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(store.HeldReads), n => n == 1, "the chunk in work");
        lifetime.Stop();
        var stopping = gate.StoppingAsync(CancellationToken.None);
        await Task.Delay(200); // the stop is under way and waits for the chunk
        Assert.False(stopping.IsCompleted);
        store.Release();
        await stopping;
        await delivery; // completed normally: SUCCESS
    }

    [Fact]
    public async Task While_stopping_a_new_delivery_is_handed_back_at_once()
    {
        using var lifetime = new Lifetime();
        using var gate = Gate(new MemoryStore(), new DecoderKilledByStop(), lifetime, drain: TimeSpan.FromSeconds(10));
        lifetime.Stop();
        await Assert.ThrowsAsync<ChunkHandedBackException>(() => gate.HandleAsync(Chunk, CancellationToken.None));
        Assert.Equal(0, gate.InFlight);
    }

    [Fact]
    public async Task Unreadable_video_outside_a_stop_is_still_poison()
    {
        var store = new MemoryStore();
        await store.PutAsync(Chunk.ChunkKey, new byte[] { 1, 2, 3 });
        using var lifetime = new Lifetime();
        using var gate = Gate(store, new UnreadableDecoder(), lifetime, drain: TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<InvalidDataException>(() => gate.HandleAsync(Chunk, CancellationToken.None));
    }

    private static ChunkProcessingGate Gate(MemoryStore store, IFrameDecoder decoder, Lifetime lifetime, TimeSpan drain)
    {
        var options = new InferenceOptions();
        var annotator = new SegmentAnnotator(new NoDetector(), options, decoder, new SegmentEncoder(), new FrameAnnotatorPool());
        var processor = new ChunkProcessor(store, new NoEvents(), annotator, options);
        var settings = new InferenceSettings(new TfServingOptions(), options, ChunkConcurrency: 2) { ShutdownDrain = drain };
        return new ChunkProcessingGate(processor, settings, lifetime);
    }

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => _stopping.Token;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() => _stopping.Cancel();
        public void Stop() => StopApplication();
        public void Dispose() => _stopping.Dispose();
    }

    private sealed class DecoderKilledByStop : IFrameDecoder
    {
        public async IAsyncEnumerable<DecodedFrame> DecodeAsync(ReadOnlyMemory<byte> chunk, PixelFormat pixelFormat,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new MediaException("ffmpeg exited with code 255 (killed)");
            }
            yield break;
        }
    }

    private sealed class UnreadableDecoder : IFrameDecoder
    {
        public async IAsyncEnumerable<DecodedFrame> DecodeAsync(ReadOnlyMemory<byte> chunk, PixelFormat pixelFormat,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            throw new MediaException("Invalid data found when processing input");
#pragma warning disable CS0162 // an iterator needs a yield
            yield break;
#pragma warning restore CS0162
        }
    }

    private sealed class NoDetector : IObjectDetector
    {
        public Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default) =>
            Task.FromResult(frames.Select(_ => (IReadOnlyList<Detection>)[]).ToArray());
    }

    private sealed class NoEvents : IEventPublisher
    {
        public Task PublishAsync<TEvent>(string topic, TEvent message, CancellationToken cancellationToken = default) where TEvent : class => Task.CompletedTask;
    }

    private sealed class MemoryStore : IObjectStore
    {
        private readonly Dictionary<string, byte[]> _objects = [];
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;
        public bool HoldRecordReads { get; init; }
        public int HeldReads => Volatile.Read(ref _held);
        public void Release() => _release.TrySetResult();

        public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            lock (_objects) _objects[key] = content.ToArray();
            return Task.CompletedTask;
        }

        public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            if (HoldRecordReads && key.EndsWith(".json", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _held);
                await _release.Task.WaitAsync(cancellationToken);
            }
            lock (_objects) return _objects.GetValueOrDefault(key);
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            lock (_objects) _objects.Remove(key);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
        {
            lock (_objects) return Task.FromResult<IReadOnlyList<string>>([.. _objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)]);
        }
    }
}
