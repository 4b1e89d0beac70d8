namespace DaprVideo.Core.Pipeline;

/// <summary>
/// Bounds the decoded frames held between decoding and encoding by bytes as well as by count: the
/// frame size is only known once the first frame is decoded, so the number of slots is fixed then
/// (at least 2, so decoding and encoding still overlap). One producer enters, one consumer leaves.
/// </summary>
internal sealed class FrameBudget(long maxBytes, int maxFrames) : IDisposable
{
    private SemaphoreSlim? _slots;

    public int? Slots { get; private set; }

    /// <summary>Waits for room for one frame of <paramref name="frameBytes"/>.</summary>
    public Task EnterAsync(int frameBytes, CancellationToken cancellationToken)
    {
        if (_slots is null)
        {
            var slots = (int)Math.Clamp(maxBytes / Math.Max(1, frameBytes), 2, Math.Max(2, maxFrames));
            Slots = slots;
            Volatile.Write(ref _slots, new SemaphoreSlim(slots, slots));
        }
        return _slots!.WaitAsync(cancellationToken);
    }

    /// <summary>A frame has left the queue (encoded or dropped).</summary>
    public void Leave() => Volatile.Read(ref _slots)?.Release();

    public void Dispose() => _slots?.Dispose();
}
