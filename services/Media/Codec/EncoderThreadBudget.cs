namespace DaprVideo.Media.Codec;

/// <summary>
/// One CPU budget for the process's segment encodes: each encode gets the cores shared among the encodes running when
/// it starts (x264 fixes its thread count when it opens). The chunks of one stream encode one after another (each
/// waits for its predecessor's tracking), so a lone stream — a `process` job, a quiet camera — would otherwise leave
/// the other cores idle behind a one-thread encode, while many cameras still get one thread each.
/// </summary>
public sealed class EncoderThreadBudget(int cores)
{
    private readonly int _cores = cores >= 1 ? cores : throw new ArgumentOutOfRangeException(nameof(cores), "A budget needs at least one core.");
    private int _running;

    public int Running => Volatile.Read(ref _running);

    /// <summary>Threads for an encode starting now; dispose the lease when that encode ends.</summary>
    public Lease Start()
    {
        var running = Interlocked.Increment(ref _running);
        return new Lease(this, Math.Max(1, _cores / running));
    }

    public sealed class Lease(EncoderThreadBudget budget, int threads) : IDisposable
    {
        private int _ended;

        public int Threads => threads;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) Interlocked.Decrement(ref budget._running);
        }
    }
}
