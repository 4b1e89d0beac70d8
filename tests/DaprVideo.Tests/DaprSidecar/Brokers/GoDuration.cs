using System.Globalization;

namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// Go's time.ParseDuration (go/src/time/format.go): "300ms", "1.5s", "1h30m", "0"; a bare number other than 0 is
/// an error ("missing unit"). Component metadata durations go through it before any integer fallback.
/// </summary>
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        var s = text;
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0") return true;
        if (s.Length == 0) return Fail($"time: invalid duration \"{text}\"", out error);

        double ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            var number = s[start..i];
            if (number.Length == 0 || number == "." || number.Count(c => c == '.') > 1)
                return Fail($"time: invalid duration \"{text}\"", out error);
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            var unit = s[unitStart..i];
            if (unit.Length == 0) return Fail($"time: missing unit in duration \"{text}\"", out error);
            var factor = Units.FirstOrDefault(u => u.Unit == unit).Ticks;
            if (factor == 0) return Fail($"time: unknown unit \"{unit}\" in duration \"{text}\"", out error);
            ticks += double.Parse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * factor;
        }
        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
