namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>What the component would have logged (its Errorf/Warnf lines), kept so tests can see how it failed.</summary>
public sealed class ComponentLog
{
    private readonly object _gate = new();
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_gate) return [.. _lines]; } }

    internal void Write(string line)
    {
        lock (_gate) _lines.Add(line);
    }
}
