using System.Globalization;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// A read-only view of a YAML value as YamlDotNet deserialises it (maps, lists, string scalars):
/// missing keys give <see cref="Missing"/> instead of throwing, so walking optional fields stays short.
/// </summary>
internal sealed class Node
{
    public static readonly Node Missing = new(null);

    private readonly object? _value;

    public Node(object? value) => _value = value;

    public Node this[string key] =>
        _value is IDictionary<object, object> map && map.TryGetValue(key, out var v) ? new Node(v) : Missing;

    public bool Exists => _value is not null;

    public string? Text => _value as string;

    public int? Integer => int.TryParse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    public IEnumerable<Node> Items => _value is IList<object> list ? list.Select(x => new Node(x)) : [];

    public IEnumerable<KeyValuePair<string, Node>> Entries =>
        _value is IDictionary<object, object> map
            ? map.Select(e => new KeyValuePair<string, Node>(e.Key.ToString() ?? "", new Node(e.Value)))
            : [];

    public IEnumerable<string> Keys => Entries.Select(e => e.Key);

    public bool IsMap => _value is IDictionary<object, object>;

    public object? Raw => _value;

    /// <summary>The map as string pairs (labels, annotations, selectors).</summary>
    public IReadOnlyDictionary<string, string> StringMap() =>
        Entries.Where(e => e.Value.Text is not null).ToDictionary(e => e.Key, e => e.Value.Text!, StringComparer.Ordinal);

    public override string ToString() => _value?.ToString() ?? "(missing)";
}
