using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprVideo.Settings;

/// <summary>
/// An amount of storage written as a whole number with an optional K, M, G or T suffix in powers of 1024
/// (<c>500M</c> is 500 MiB, <c>50G</c> is 50 GiB; no suffix: bytes). No fractions: write <c>1536M</c>, not <c>1.5G</c>.
/// Unset means off (no default); the same words are accepted wherever a size is given (the stream API).
/// </summary>
public sealed partial record ByteSizeSetting(string Name, string Meaning) : Setting(Name, Meaning)
{
    /// <summary>Largest size accepted: 1024 TiB, far beyond any one stream and far from long's limits.</summary>
    public const long Max = 1L << 50;

    public const string Description = "a whole number of bytes, optionally with K, M, G or T (powers of 1024: 500M, 50G)";

    public override string DefaultText => "– (off)";

    public override string AllowedText => Description;

    /// <summary>Parses <c>500M</c>, <c>50G</c>, <c>1048576</c> (at least 1 byte, at most <see cref="Max"/>); suffixes in either case.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        var match = text is null ? null : SizePattern().Match(text.Trim());
        if (match is not { Success: true }
            || !long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            return false;
        var unit = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" => 1L,
            "K" => 1L << 10,
            "M" => 1L << 20,
            "G" => 1L << 30,
            _ => 1L << 40,
        };
        if (count < 1 || count > Max / unit) return false;
        bytes = count * unit;
        return true;
    }

    [GeneratedRegex("^([0-9]{1,16})([KMGTkmgt]?)$", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
