using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprVideo.Tests.DaprSidecar.Runtime;

internal enum GoScalarKind { Null, Bool, Int, UInt, Float, Str }

/// <summary>
/// A scalar after go-yaml v2's implicit typing (go-yaml v2.4.0 <c>resolve.go</c> <c>resolve</c>): YAML 1.1 booleans
/// (<c>yes/no/on/off/y/n</c>), <c>~/null</c>, ints via Go <c>strconv.ParseInt(s, 0, 64)</c> after removing <c>_</c>
/// (so <c>0x1F</c>, <c>0o17</c>, <c>017</c> octal, <c>0b101</c>), floats; everything else, and every quoted scalar, is a string.
/// </summary>
internal readonly record struct GoScalar(GoScalarKind Kind, string Text, bool Bool = false, long Int = 0, ulong UInt = 0, double Float = 0)
{
    private static readonly Regex YamlStyleFloat = new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant);

    public static GoScalar Resolve(GoYamlScalar s)
    {
        var tag = s.Tag;
        if (tag is "tag:yaml.org,2002:str" or "!" || (!s.Plain && tag is null)) return new(GoScalarKind.Str, s.Text);
        if (tag is not null && !tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal)) return new(GoScalarKind.Str, s.Text);
        var t = s.Text;
        switch (t)
        {
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                return new(GoScalarKind.Bool, t, Bool: true);
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                return new(GoScalarKind.Bool, t, Bool: false);
            case "" or "~" or "null" or "Null" or "NULL":
                return new(GoScalarKind.Null, t);
            case ".nan" or ".NaN" or ".NAN":
                return new(GoScalarKind.Float, t, Float: double.NaN);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return new(GoScalarKind.Float, t, Float: double.PositiveInfinity);
            case "-.inf" or "-.Inf" or "-.INF":
                return new(GoScalarKind.Float, t, Float: double.NegativeInfinity);
        }
        var first = t[0];
        if (first == '.')
        {
            if (YamlStyleFloat.IsMatch(t)) return new(GoScalarKind.Float, t, Float: double.Parse(t, CultureInfo.InvariantCulture));
        }
        else if (first is '+' or '-' || char.IsAsciiDigit(first))
        {
            var plain = t.Replace("_", "", StringComparison.Ordinal);
            if (GoParseInt(plain, out var i)) return new(GoScalarKind.Int, t, Int: i);
            if (GoParseUInt(plain, out var u)) return new(GoScalarKind.UInt, t, UInt: u);
            if (YamlStyleFloat.IsMatch(plain)) return new(GoScalarKind.Float, t, Float: double.Parse(plain, CultureInfo.InvariantCulture));
        }
        return new(GoScalarKind.Str, t);
    }

    /// <summary>go-yaml's short tag of the resolved kind, used in its error messages.</summary>
    public string ShortTag => Kind switch
    {
        GoScalarKind.Null => "!!null",
        GoScalarKind.Bool => "!!bool",
        GoScalarKind.Int or GoScalarKind.UInt => "!!int",
        GoScalarKind.Float => "!!float",
        _ => "!!str",
    };

    /// <summary>Go <c>strconv.ParseInt(s, 0, 64)</c>: sign, then 0x / 0o / 0b / leading-0 octal / decimal.</summary>
    private static bool GoParseInt(string s, out long value)
    {
        value = 0;
        var neg = false;
        var body = s;
        if (body.StartsWith('+') || body.StartsWith('-')) { neg = body[0] == '-'; body = body[1..]; }
        if (!ParseMagnitude(body, out var magnitude)) return false;
        if (neg ? magnitude > 9223372036854775808UL : magnitude > long.MaxValue) return false;
        value = neg ? (long)(0UL - magnitude) : (long)magnitude;
        return true;
    }

    private static bool GoParseUInt(string s, out ulong value) => ParseMagnitude(s, out value);

    private static bool ParseMagnitude(string body, out ulong value)
    {
        value = 0;
        if (body.Length == 0) return false;
        var radix = 10;
        var digits = body;
        if (body.Length > 1 && body[0] == '0')
        {
            switch (body[1])
            {
                case 'x' or 'X': radix = 16; digits = body[2..]; break;
                case 'o' or 'O': radix = 8; digits = body[2..]; break;
                case 'b' or 'B': radix = 2; digits = body[2..]; break;
                default: radix = 8; digits = body[1..]; break;
            }
            if (digits.Length == 0) return false;
        }
        foreach (var c in digits)
        {
            var d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (d >= radix) return false;
            var next = value * (ulong)radix + (ulong)d;
            if (value > (ulong.MaxValue - (ulong)d) / (ulong)radix) return false;
            value = next;
        }
        return true;
    }
}

/// <summary>Go's number-to-text conversions that leak into Dapr's view of YAML/JSON values.</summary>
internal static class GoFormat
{
    /// <summary>Go <c>strconv.FormatFloat(v, 'g', -1, bitSize)</c> (also what <c>fmt</c>'s <c>%v</c> prints for a float64).</summary>
    public static string FloatG(double v, int bitSize)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsInfinity(v)) return v > 0 ? "+Inf" : "-Inf";
        var (neg, digits, dp) = Shortest(v, bitSize);
        var exp = dp - 1;
        var body = exp < -4 || exp >= 6 ? EStyle(digits, exp) : FStyle(digits, dp);
        return neg ? "-" + body : body;
    }

    /// <summary>Go <c>encoding/json</c> float64 encoding: 'f' unless |v| &lt; 1e-6 or ≥ 1e21, then 'e' with <c>e-09</c> trimmed to <c>e-9</c>.</summary>
    public static string JsonFloat(double v)
    {
        var (neg, digits, dp) = Shortest(v, 64);
        var abs = Math.Abs(v);
        string body;
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21))
        {
            body = EStyle(digits, dp - 1);
            var n = body.Length;
            if (n >= 4 && body[n - 4] == 'e' && body[n - 3] == '-' && body[n - 2] == '0') body = body[..(n - 2)] + body[n - 1];
        }
        else body = FStyle(digits, dp);
        return neg ? "-" + body : body;
    }

    private static string EStyle(string digits, int exp)
    {
        var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        var e = Math.Abs(exp).ToString(CultureInfo.InvariantCulture).PadLeft(2, '0');
        return mantissa + "e" + (exp < 0 ? "-" : "+") + e;
    }

    private static string FStyle(string digits, int dp)
    {
        if (dp <= 0) return "0." + new string('0', -dp) + digits;
        if (dp >= digits.Length) return digits + new string('0', dp - digits.Length);
        return digits[..dp] + "." + digits[dp..];
    }

    /// <summary>Shortest round-trip decimal digits and decimal point position (0.digits × 10^dp).</summary>
    private static (bool Neg, string Digits, int Dp) Shortest(double v, int bitSize)
    {
        var text = bitSize == 32
            ? ((float)v).ToString("R", CultureInfo.InvariantCulture)
            : v.ToString("R", CultureInfo.InvariantCulture);
        var neg = text.StartsWith('-');
        if (neg) text = text[1..];
        var exp = 0;
        var ePos = text.IndexOfAny(['E', 'e']);
        if (ePos >= 0) { exp = int.Parse(text[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture); text = text[..ePos]; }
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? text[..dot] : text;
        var frac = dot >= 0 ? text[(dot + 1)..] : "";
        var all = intPart + frac;
        var dp = intPart.Length + exp;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0') { lead++; dp--; }
        all = all[lead..].TrimEnd('0');
        if (all.Length == 0) return (neg, "0", 1);
        return (neg, all, dp);
    }

    /// <summary>Go <c>strconv.Unquote</c> for the forms a metadata value can take; null when it is not a quoted literal.</summary>
    public static string? Unquote(string s)
    {
        if (s.Length < 2) return null;
        var q = s[0];
        if (q != s[^1]) return null;
        var inner = s[1..^1];
        if (q == '`') return inner.Contains('`', StringComparison.Ordinal) || inner.Contains('\r', StringComparison.Ordinal) ? null : inner;
        if (q == '\'') return inner.Length == 1 && inner[0] != '\'' ? inner : null;
        if (q != '"' || inner.Contains('\n', StringComparison.Ordinal)) return null;
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (c == '"') return null;
            if (c != '\\') { sb.Append(c); continue; }
            if (++i >= inner.Length) return null;
            switch (inner[i])
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '"': sb.Append('"'); break;
                case 'u' when TryHex(inner, i + 1, 4, out var u4): sb.Append((char)u4); i += 4; break;
                case 'x' when TryHex(inner, i + 1, 2, out var x2): sb.Append((char)x2); i += 2; break;
                default: return null;
            }
        }
        return sb.ToString();
    }

    private static bool TryHex(string s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length) return false;
        return int.TryParse(s.AsSpan(start, count), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
