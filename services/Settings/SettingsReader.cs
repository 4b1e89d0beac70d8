using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DaprVideo.Settings;

/// <summary>
/// Typed reads of catalogue settings from a host's configuration (environment variables) or any name → value
/// lookup. Unset or blank means the default; a bad value throws <see cref="SettingsException"/> naming the variable.
/// </summary>
public sealed class SettingsReader(Func<string, string?> lookup)
{
    public SettingsReader(IConfiguration configuration)
        : this(name => configuration[name])
    {
        ArgumentNullException.ThrowIfNull(configuration);
    }

    /// <summary>True when the variable has a non-blank value.</summary>
    public bool IsSet(Setting setting) => Value(setting) is not null;

    public string? Text(TextSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (Value(setting) is not { } value) return setting.Default;
        if (setting.Pattern is { } pattern && !pattern.IsMatch(value)) throw setting.Invalid(value);
        return value;
    }

    /// <summary>The value, or <paramref name="fallback"/> when unset (for defaults only the host knows, such as paths).</summary>
    public string Text(TextSetting setting, string fallback) => Text(setting) ?? fallback;

    public int WholeNumber(WholeNumberSetting setting) => WholeNumber(setting, setting?.Default ?? 0);

    /// <summary>The value, or <paramref name="fallback"/> when unset (APP_PORT: each service has its own).</summary>
    public int WholeNumber(WholeNumberSetting setting, int fallback)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (Value(setting) is not { } value) return fallback;
        if (setting.Word is { } word && value.Equals(word, StringComparison.OrdinalIgnoreCase)) return setting.WordValue;
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= setting.Min && n <= setting.Max
            ? n
            : throw setting.Invalid(value);
    }

    public double Number(NumberSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (Value(setting) is not { } value) return setting.Default;
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && setting.Allows(n)
            ? n
            : throw setting.Invalid(value);
    }

    public bool Switch(SwitchSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (Value(setting) is not { } value) return setting.Default;
        return value.ToUpperInvariant() switch
        {
            "1" or "TRUE" or "YES" or "ON" => true,
            "0" or "FALSE" or "NO" or "OFF" => false,
            _ => throw setting.Invalid(value),
        };
    }

    /// <summary>The URL, or null when unset (the host derives it).</summary>
    public Uri? Url(UrlSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (Value(setting) is not { } value) return null;
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && setting.Schemes.Contains(uri.Scheme, StringComparer.Ordinal)
            && !string.IsNullOrEmpty(uri.Host)
            ? uri
            : throw setting.InvalidUrl(value);
    }

    /// <summary>The entries; for a folder list, as full paths that exist.</summary>
    public IReadOnlyList<string> List(ListSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var entries = Value(setting)?.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        if (!setting.Directories) return entries;
        return [.. entries.Select(entry => FullPath(entry) is { } full && Directory.Exists(full)
            ? full
            : throw new SettingsException(setting.Name, $"entry '{entry}' is not an existing directory."))];
    }

    /// <summary>The duration, or null when unset (off).</summary>
    public TimeSpan? Duration(DurationSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (Value(setting) is not { } value) return null;
        return DurationSetting.TryParse(value, out var duration) ? duration : throw setting.Invalid(value);
    }

    /// <summary>The size in bytes, or null when unset (off).</summary>
    public long? ByteSize(ByteSizeSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (Value(setting) is not { } value) return null;
        return ByteSizeSetting.TryParse(value, out var bytes) ? bytes : throw setting.Invalid(value);
    }

    public string Choice(ChoiceSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (Value(setting) is not { } value) return setting.Default;
        return setting.Allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase)) ?? throw setting.Invalid(value);
    }

    private string? Value(Setting setting)
    {
        var raw = lookup(setting.Name);
        if (string.IsNullOrWhiteSpace(raw)) return null;
        return setting is TextSetting { Verbatim: true } ? raw : raw.Trim();
    }

    private static string? FullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }
}
