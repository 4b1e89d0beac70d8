namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>One partition's append-only log; readers wait for the next offset (a fetch that blocks until data).</summary>
internal sealed class KafkaPartitionLog
{
    private readonly object _gate = new();
    private readonly List<KafkaRecord> _records = [];
    private TaskCompletionSource _appended = NewSignal();

    /// <summary>The high-water mark: the offset the next record gets.</summary>
    public long EndOffset { get { lock (_gate) return _records.Count; } }

    public IReadOnlyList<KafkaRecord> Records { get { lock (_gate) return [.. _records]; } }

    public KafkaRecord Append(Func<long, KafkaRecord> create)
    {
        TaskCompletionSource appended;
        KafkaRecord record;
        lock (_gate)
        {
            record = create(_records.Count);
            _records.Add(record);
            appended = _appended;
            _appended = NewSignal();
        }
        appended.SetResult();
        return record;
    }

    public async Task<KafkaRecord> ReadAsync(long offset, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task appended;
            lock (_gate)
            {
                if (offset < _records.Count) return _records[(int)offset];
                appended = _appended.Task;
            }
            await appended.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
