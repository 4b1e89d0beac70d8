using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprVideo.Core.Video;

/// <summary>
/// The <c>testsrc[:key=value...]</c> source. Keys: <c>duration</c> (seconds, 0 &lt; d ≤ 86400;
/// none = endless, live), <c>size</c> (<c>WxH</c>, 16..3840 x 16..2160, even), <c>rate</c> (1..60 fps).
/// The lavfi filter text is built from the parsed numbers only, never from the user's text.
/// </summary>
public sealed partial record TestPattern(double? DurationSeconds, int Width, int Height, int Rate)
{
    public static TestPattern Default { get; } = new(null, 640, 360, 25);

    /// <summary>The lavfi filter graph ffmpeg gets as its input.</summary>
    public string FilterSpec =>
        DurationSeconds is { } d
            ? string.Create(CultureInfo.InvariantCulture, $"testsrc=size={Width}x{Height}:rate={Rate}:duration={d}")
            : string.Create(CultureInfo.InvariantCulture, $"testsrc=size={Width}x{Height}:rate={Rate}");

    public static bool TryParse(string text, [NotNullWhen(true)] out TestPattern? pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        var result = Default;
        var options = text.Split(':');
        if (options[0] != "testsrc")
        {
            error = "Test pattern must start with 'testsrc'.";
            return false;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in options.Skip(1))
        {
            var m = OptionRegex().Match(option);
            if (!m.Success)
            {
                error = "Test pattern options look like testsrc:duration=10:size=640x360:rate=25.";
                return false;
            }
            var (key, value) = (m.Groups[1].Value, m.Groups[2].Value);
            if (!seen.Add(key))
            {
                error = $"Test pattern option '{key}' is given twice.";
                return false;
            }
            switch (key)
            {
                case "duration" when double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && d > 0 && d <= 86400:
                    result = result with { DurationSeconds = Math.Round(d, 3) };
                    break;
                case "size" when SizeRegex().Match(value) is { Success: true } s
                                 && int.TryParse(s.Groups[1].Value, CultureInfo.InvariantCulture, out var w)
                                 && int.TryParse(s.Groups[2].Value, CultureInfo.InvariantCulture, out var h)
                                 && w is >= 16 and <= 3840 && h is >= 16 and <= 2160 && w % 2 == 0 && h % 2 == 0:
                    result = result with { Width = w, Height = h };
                    break;
                case "rate" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r is >= 1 and <= 60:
                    result = result with { Rate = r };
                    break;
                case "duration" or "size" or "rate":
                    error = $"Test pattern option {key}={value} is out of range (duration 0..86400 s, size up to 3840x2160 even, rate 1..60).";
                    return false;
                default:
                    error = $"Test pattern option '{key}' is not supported: use duration, size or rate.";
                    return false;
            }
        }
        pattern = result;
        error = null;
        return true;
    }

    /// <summary>The canonical spelling, which parses back to the same pattern.</summary>
    public override string ToString() =>
        DurationSeconds is { } d
            ? string.Create(CultureInfo.InvariantCulture, $"testsrc:duration={d}:size={Width}x{Height}:rate={Rate}")
            : string.Create(CultureInfo.InvariantCulture, $"testsrc:size={Width}x{Height}:rate={Rate}");

    [GeneratedRegex("^([a-z]{1,16})=([A-Za-z0-9.]{1,16})$", RegexOptions.CultureInvariant)]
    private static partial Regex OptionRegex();

    [GeneratedRegex("^([0-9]{2,4})x([0-9]{2,4})$", RegexOptions.CultureInvariant)]
    private static partial Regex SizeRegex();
}
