using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprVideo.Settings;

/// <summary>
/// A length of time written as a whole number and a unit: <c>90s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c>.
/// Unset means off (no default); the same words are accepted wherever a duration is given (the stream API).
/// </summary>
public sealed partial record DurationSetting(string Name, string Meaning) : Setting(Name, Meaning)
{
    /// <summary>Longest duration accepted: a hundred years is "keep forever" in practice and far from TimeSpan's limits.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(36_500);

    public const string Description = "a whole number with s, m, h or d (90s, 30m, 12h, 7d)";

    public override string DefaultText => "– (off)";

    public override string AllowedText => Description;

    /// <summary>Parses <c>90s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c> (at least 1 s, at most <see cref="Max"/>).</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        var match = text is null ? null : DurationPattern().Match(text.Trim());
        if (match is not { Success: true }
            || !long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            return false;
        var seconds = match.Groups[2].Value switch
        {
            "s" => 1L,
            "m" => 60L,
            "h" => 3_600L,
            _ => 86_400L,
        };
        if (count < 1 || count > (long)Max.TotalSeconds / seconds) return false;
        duration = TimeSpan.FromSeconds(count * seconds);
        return true;
    }

    [GeneratedRegex("^([0-9]{1,12})([smhd])$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
