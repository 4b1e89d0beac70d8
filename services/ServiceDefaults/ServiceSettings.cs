using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// Typed reads of a host's settings (environment variables through configuration). A bad value throws
/// <see cref="ServiceConfigurationException"/> with one line naming the variable, so the host stops at start.
/// The embedded CLI reads the process environment through the same class.
/// </summary>
public sealed class ServiceSettings(Func<string, string?> lookup)
{
    public ServiceSettings(IConfiguration configuration) : this(name => configuration[name])
    {
    }

    public string? Text(string name) => lookup(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    public int WholeNumber(string name, int fallback, int min, int max)
    {
        if (Text(name) is not { } text) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ServiceConfigurationException(name, $"must be a whole number from {min} to {max}, not '{text}'.");
    }

    public double Number(string name, double fallback, double min, double max)
    {
        if (Text(name) is not { } text) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ServiceConfigurationException(name, string.Create(CultureInfo.InvariantCulture, $"must be a number from {min} to {max}, not '{text}'."));
    }

    public bool Switch(string name)
    {
        if (Text(name) is not { } text) return false;
        return text.ToUpperInvariant() switch
        {
            "1" or "TRUE" or "YES" or "ON" => true,
            "0" or "FALSE" or "NO" or "OFF" => false,
            _ => throw new ServiceConfigurationException(name, $"must be true or false, not '{text}'."),
        };
    }

    /// <summary>A ':'-separated list (like PATH), empty entries skipped.</summary>
    public IReadOnlyList<string> List(string name) =>
        Text(name)?.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}

/// <summary>A setting is wrong; the message is the one line the host prints before it exits.</summary>
public sealed class ServiceConfigurationException(string variable, string problem, Exception? inner = null)
    : Exception($"{variable} {problem}", inner)
{
    public string Variable { get; } = variable;
}
