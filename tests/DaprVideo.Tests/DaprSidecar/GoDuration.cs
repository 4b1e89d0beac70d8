namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// Go durations for the stand-in's parsers (Resiliency, component metadata). Resiliency reads them like this: a bare integer is milliseconds
/// (dapr/dapr pkg/resiliency/resiliency.go <c>parseDuration</c>, dapr/kit config/decode.go), anything else goes
/// through Go's <c>time.ParseDuration</c> ("300ms", "1.5h", "2h45m", units ns us µs μs ms s m h; "0" needs no unit).
/// Values are kept in nanoseconds like Go's <c>time.Duration</c>.
/// </summary>
public static class GoDuration
{
    private const ulong MaxMagnitude = 1UL << 63;

    /// <summary>Integer string = milliseconds, else Go duration syntax.</summary>
    public static bool TryParseMillisecondsOrDuration(string value, out long nanoseconds)
    {
        if (TryParseGoInt(value, out var ms))
        {
            nanoseconds = unchecked(ms * 1_000_000); // Go multiplies time.Duration without overflow checks
            return true;
        }
        return TryParseDuration(value, out nanoseconds);
    }

    /// <summary>Go's <c>time.ParseDuration</c> as a <see cref="TimeSpan"/> (what component metadata decoding uses).</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        var ok = TryParseDuration(text, out var nanoseconds);
        value = ok ? ToTimeSpan(nanoseconds) : TimeSpan.Zero;
        return ok;
    }

    public static TimeSpan ToTimeSpan(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / 100);

    public static long FromTimeSpan(TimeSpan value) => value.Ticks * 100;

    /// <summary>Go's <c>strconv.ParseInt(s, 10, 64)</c>: optional sign, decimal digits, int64 range.</summary>
    public static bool TryParseGoInt(string s, out long value)
    {
        value = 0;
        if (s.Length == 0) return false;
        var i = 0;
        var negative = false;
        if (s[0] is '+' or '-') { negative = s[0] == '-'; i = 1; }
        if (i == s.Length) return false;
        ulong magnitude = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c is < '0' or > '9') return false;
            if (magnitude > (MaxMagnitude - (ulong)(c - '0')) / 10) return false;
            magnitude = magnitude * 10 + (ulong)(c - '0');
        }
        if (!negative && magnitude > long.MaxValue) return false;
        value = negative ? (long)(0UL - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>Go's <c>time.ParseDuration</c>.</summary>
    public static bool TryParseDuration(string s, out long nanoseconds)
    {
        nanoseconds = 0;
        var negative = false;
        var pos = 0;
        if (s.Length > 0 && s[0] is '+' or '-') { negative = s[0] == '-'; pos = 1; }
        if (s.Length - pos == 1 && s[pos] == '0') return true;
        if (pos == s.Length) return false;

        ulong total = 0;
        while (pos < s.Length)
        {
            if (!(s[pos] == '.' || char.IsAsciiDigit(s[pos]))) return false;

            var start = pos;
            ulong whole = 0;
            while (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                if (whole > (MaxMagnitude - 1) / 10) return false; // overflow
                whole = whole * 10 + (ulong)(s[pos] - '0');
                if (whole > MaxMagnitude) return false;
                pos++;
            }
            var hadWhole = pos != start;

            ulong fraction = 0;
            double scale = 1;
            var hadFraction = false;
            if (pos < s.Length && s[pos] == '.')
            {
                pos++;
                var fracStart = pos;
                var overflowed = false;
                while (pos < s.Length && char.IsAsciiDigit(s[pos]))
                {
                    if (!overflowed)
                    {
                        if (fraction > (long.MaxValue - 1) / 10) overflowed = true;
                        else
                        {
                            var next = fraction * 10 + (ulong)(s[pos] - '0');
                            if (next > long.MaxValue) overflowed = true;
                            else { fraction = next; scale *= 10; }
                        }
                    }
                    pos++;
                }
                hadFraction = pos != fracStart;
            }
            if (!hadWhole && !hadFraction) return false;

            var unitStart = pos;
            while (pos < s.Length && s[pos] != '.' && !char.IsAsciiDigit(s[pos])) pos++;
            if (pos == unitStart) return false; // missing unit
            ulong unit;
            switch (s[unitStart..pos])
            {
                case "ns": unit = 1; break;
                case "us" or "\u00b5s" or "\u03bcs": unit = 1_000; break;
                case "ms": unit = 1_000_000; break;
                case "s": unit = 1_000_000_000; break;
                case "m": unit = 60UL * 1_000_000_000; break;
                case "h": unit = 3600UL * 1_000_000_000; break;
                default: return false; // unknown unit
            }
            if (whole > MaxMagnitude / unit) return false;
            whole *= unit;
            if (fraction > 0)
            {
                whole += (ulong)(fraction * (unit / scale));
                if (whole > MaxMagnitude) return false;
            }
            total += whole;
            if (total > MaxMagnitude) return false;
        }
        if (negative) { nanoseconds = (long)(0UL - total); return true; }
        if (total > long.MaxValue) return false;
        nanoseconds = (long)total;
        return true;
    }
}
