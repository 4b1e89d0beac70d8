using System.Globalization;

namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// Reads component metadata the way dapr/kit's decoders do: keys match case-insensitively (mapstructure's
/// default), and failures are gathered in struct-field order into mapstructure's "N error(s) decoding" text.
/// </summary>
internal sealed class ComponentMetadata(IReadOnlyDictionary<string, string> properties)
{
    private readonly List<string> _errors = [];

    public IReadOnlyDictionary<string, string> Properties { get; } = properties;

    /// <summary>The value under <paramref name="key"/> matched exactly first, then ignoring case; null when absent or empty.</summary>
    public string? Get(string key)
    {
        if (Properties.TryGetValue(key, out var exact)) return exact.Length == 0 ? null : exact;
        foreach (var (k, v) in Properties)
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) return v.Length == 0 ? null : v;
        return null;
    }

    /// <summary>The value under exactly <paramref name="key"/> (the components' own post-decode lookups are case-sensitive).</summary>
    public string? GetExact(string key) => Properties.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    public void Error(string key, string reason) => _errors.Add($"error decoding '{key}': {reason}");

    /// <summary>mapstructure's aggregate error text, or null when every field decoded.</summary>
    public string? DecodeErrors() =>
        _errors.Count == 0 ? null : $"{_errors.Count} error(s) decoding:\n\n" + string.Join("\n", _errors.Select(e => "* " + e));

    /// <summary>dapr/kit config/decode.go for a time.Duration field: integer = milliseconds, else a Go duration.</summary>
    public TimeSpan? ConfigDuration(string key)
    {
        if (Get(key) is not { } text) return null;
        if (GoDuration.TryParseMillisecondsOrDuration(text, out var ns)) return GoDuration.ToTimeSpan(ns);
        Error(key, $"invalid duration \"{text}\"");
        return null;
    }

    public static bool TryParseLong(string s, out long value) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseULong(string s, out ulong value) =>
        ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
