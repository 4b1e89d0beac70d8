using System.Numerics;

namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// A Kubernetes resource quantity as Dapr parses <c>maxBodySize</c> / <c>readBufferSize</c>:
/// k8s.io/apimachinery <c>pkg/api/resource/quantity.go</c> <c>ParseQuantity</c> + <c>suffix.go</c>
/// (<c>[+-]digits[.digits]</c> then <c>Ki Mi Gi Ti Pi Ei</c>, <c>n u m k M G T P E</c>, or <c>e&lt;int&gt;</c>/<c>E&lt;int&gt;</c>;
/// a bare number is bytes, so <c>32</c> is 32 bytes, not 32 MiB). daprd turns it into bytes with
/// <c>getQuantityBytes</c> (dapr <c>cmd/daprd/options/options.go</c>): an exact integer that fits int64, else it exits.
/// </summary>
internal static class ResourceQuantity
{
    public const string FormatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    public const string SuffixWrong = "unable to parse quantity's suffix";

    /// <summary>The exact value as numerator / 10^decimals (rounded up to nanos like apimachinery), or the parse error.</summary>
    public static bool TryParse(string text, out BigInteger numerator, out int decimals, out string? error)
    {
        numerator = 0;
        decimals = 0;
        error = null;
        if (text.Length == 0) { error = FormatWrong; return false; }
        if (text == "0") return true;

        var pos = 0;
        var positive = true;
        if (text[0] is '-' or '+') { positive = text[0] == '+'; pos++; }
        while (pos < text.Length && text[pos] == '0') pos++;
        if (pos >= text.Length) return true; // all zeros
        var numStart = pos;
        while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
        var num = text[numStart..pos];
        var denom = "";
        if (pos < text.Length && text[pos] == '.')
        {
            var denomStart = ++pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
            denom = text[denomStart..pos];
        }
        var suffixStart = pos;
        while (pos < text.Length && "eEinumkKMGTP".Contains(text[pos], StringComparison.Ordinal)) pos++;
        if (pos < text.Length && text[pos] is '-' or '+') pos++;
        while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
        if (pos < text.Length) { error = FormatWrong; return false; }
        var suffix = text[suffixStart..];

        int b, exponent;
        switch (suffix)
        {
            case "": (b, exponent) = (10, 0); break;
            case "n": (b, exponent) = (10, -9); break;
            case "u": (b, exponent) = (10, -6); break;
            case "m": (b, exponent) = (10, -3); break;
            case "k": (b, exponent) = (10, 3); break;
            case "M": (b, exponent) = (10, 6); break;
            case "G": (b, exponent) = (10, 9); break;
            case "T": (b, exponent) = (10, 12); break;
            case "P": (b, exponent) = (10, 15); break;
            case "E": (b, exponent) = (10, 18); break;
            case "Ki": (b, exponent) = (2, 10); break;
            case "Mi": (b, exponent) = (2, 20); break;
            case "Gi": (b, exponent) = (2, 30); break;
            case "Ti": (b, exponent) = (2, 40); break;
            case "Pi": (b, exponent) = (2, 50); break;
            case "Ei": (b, exponent) = (2, 60); break;
            default:
                if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && int.TryParse(suffix.AsSpan(1), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var e))
                {
                    (b, exponent) = (10, e);
                    break;
                }
                error = SuffixWrong;
                return false;
        }

        // value = (num.denom) × base^exponent, kept exact as a rational n / 10^d.
        var n = BigInteger.Parse("0" + num + denom, System.Globalization.CultureInfo.InvariantCulture);
        var d = denom.Length;
        if (b == 2) n *= BigInteger.Pow(2, exponent);
        else if (exponent >= 0) n *= BigInteger.Pow(10, exponent);
        else d -= exponent;
        // Round away from zero to nanos (apimachinery rounds non-zero values up to the smallest representable amount).
        if (d > 9)
        {
            var div = BigInteger.Pow(10, d - 9);
            n = BigInteger.DivRem(n, div, out var rem) + (rem.IsZero ? 0 : 1);
            d = 9;
        }
        if (b == 2 && d == 0 && n > long.MaxValue) n = long.MaxValue; // binary quantities are capped at int64 max
        numerator = positive ? n : -n;
        decimals = d;
        return true;
    }

    /// <summary>daprd's byte count for a quantity the CLI passed on (<c>--max-body-size</c>).</summary>
    public static bool TryGetBytes(BigInteger numerator, int decimals, out long bytes)
    {
        bytes = 0;
        var div = BigInteger.Pow(10, decimals);
        var whole = BigInteger.DivRem(numerator, div, out var rem);
        if (!rem.IsZero || whole > long.MaxValue || whole < long.MinValue) return false;
        bytes = (long)whole;
        return true;
    }
}
