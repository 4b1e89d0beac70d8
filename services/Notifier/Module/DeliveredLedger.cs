namespace DaprVideo.Notifier;

/// <summary>
/// Which (notification, output) pairs this process has already delivered, so a redelivered event goes only to the
/// outputs that failed last time. Bounded: the oldest entries are forgotten first (a redelivery comes seconds later,
/// not after thousands of other events). Per process: another replica, or this one after a restart, sends again,
/// which <see cref="Notification.Key"/> lets a receiver recognise.
/// </summary>
public sealed class DeliveredLedger(int capacity = 4096)
{
    private readonly HashSet<(string Key, string Output)> _delivered = [];
    private readonly Queue<(string Key, string Output)> _order = new();

    public bool Contains(string key, string output)
    {
        lock (_delivered) return _delivered.Contains((key, output));
    }

    public void Add(string key, string output)
    {
        lock (_delivered)
        {
            if (!_delivered.Add((key, output))) return;
            _order.Enqueue((key, output));
            while (_order.Count > capacity) _delivered.Remove(_order.Dequeue());
        }
    }
}
