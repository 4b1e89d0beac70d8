using System.Collections.Concurrent;

namespace DaprVideo.Core.Video;

/// <summary>
/// Pixel buffers of exactly one frame's size, reused. ArrayPool.Shared rounds a 768x576 I420 frame (648 KiB) up to
/// 1 MiB and keeps one per thread pool thread besides its per-core stacks; this pool keeps only what came back, up to
/// a number of bytes in all (<see cref="Shared"/>: 48 MiB, some seventy 576p frames or three 4K ones) and lets the rest
/// go to the collector.
/// </summary>
public sealed class FramePool(long maxKeptBytes)
{
    /// <summary>The decoders' pool.</summary>
    public static FramePool Shared { get; } = new(48L * 1024 * 1024);

    private readonly ConcurrentDictionary<int, ConcurrentQueue<byte[]>> _kept = new();
    private long _keptBytes;

    /// <summary>What the pool holds now, waiting to be rented again.</summary>
    public long KeptBytes => Interlocked.Read(ref _keptBytes);

    /// <summary>A buffer of exactly <paramref name="size"/> bytes, contents undefined.</summary>
    public byte[] Rent(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (_kept.TryGetValue(size, out var queue) && queue.TryDequeue(out var buffer))
        {
            Interlocked.Add(ref _keptBytes, -size);
            return buffer;
        }
        return GC.AllocateUninitializedArray<byte>(size);
    }

    /// <summary>Gives a buffer from <see cref="Rent"/> back; the caller must not touch it afterwards.</summary>
    public void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length == 0) return;
        if (Interlocked.Add(ref _keptBytes, buffer.Length) > maxKeptBytes)
        {
            Interlocked.Add(ref _keptBytes, -buffer.Length);
            return;
        }
        _kept.GetOrAdd(buffer.Length, _ => new ConcurrentQueue<byte[]>()).Enqueue(buffer);
    }
}
