using System.Globalization;
using DaprVideo.Standalone.Cli;

namespace DaprVideo.Standalone;

/// <summary>Reads typed settings from environment variables; a bad value names the variable in one line.</summary>
public sealed class SettingsReader(Func<string, string?> env)
{
    public string? Text(string name) => env(name) is { Length: > 0 } v ? v : null;

    public int WholeNumber(string name, int fallback, int min, int max)
    {
        if (Text(name) is not { } text) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{name} must be a whole number from {min} to {max}, not '{text}'.");
    }

    public double Number(string name, double fallback, double min, double max)
    {
        if (Text(name) is not { } text) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{name} must be a number from {min} to {max}, not '{text}'."));
    }

    public bool Switch(string name)
    {
        if (Text(name) is not { } text) return false;
        return text.ToLowerInvariant() switch
        {
            "1" or "true" or "yes" or "on" => true,
            "0" or "false" or "no" or "off" => false,
            _ => throw new UsageException($"{name} must be true or false, not '{text}'."),
        };
    }
}
