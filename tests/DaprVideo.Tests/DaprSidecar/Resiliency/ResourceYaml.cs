using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DaprVideo.Tests.DaprSidecar.Resiliency;

/// <summary>
/// Reads a resource file the way daprd's <c>sigs.k8s.io/yaml.Unmarshal</c> does: go-yaml v2 resolves plain scalars
/// (ints, floats, bools incl. yes/no/on/off, null), then the value is converted to JSON and decoded into the Go struct
/// with encoding/json. So struct field names match case-insensitively, a number or bool read into a string field becomes
/// its text (<c>timeout: 500</c> is the string "500"), a string read into an int field is an error, and unknown fields
/// are dropped (kubernetes-sigs/yaml yaml.go convertToJSONableObject). Only the first document of a file is read.
/// </summary>
internal static partial class ResourceYaml
{
    public static YamlMappingNode? FirstDocumentRoot(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException("error converting YAML to JSON: " + e.Message, e);
        }
        if (stream.Documents.Count == 0) return null;
        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode map => map,
            YamlScalarNode s when IsNull(s) => null,
            _ => throw new InvalidDataException("error unmarshaling JSON: a resource must be an object"),
        };
    }

    /// <summary>A struct field (encoding/json: exact name first, else case-insensitive).</summary>
    public static YamlNode? Field(YamlMappingNode? map, string name)
    {
        if (map is null) return null;
        YamlNode? folded = null;
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } k }) continue;
            if (k == name) return value;
            folded ??= string.Equals(k, name, StringComparison.OrdinalIgnoreCase) ? value : null;
        }
        return folded;
    }

    /// <summary>A struct-typed field: null when absent or null, else must be a mapping.</summary>
    public static YamlMappingNode? Object(YamlMappingNode? map, string name) => Field(map, name) switch
    {
        null => null,
        YamlMappingNode m => m,
        YamlScalarNode s when IsNull(s) => null,
        _ => throw new InvalidDataException($"error unmarshaling JSON: field {name} must be an object"),
    };

    /// <summary>Entries of a Go map field (keys are case-sensitive and kept as written).</summary>
    public static IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode? map, string name)
    {
        var node = Object(map, name);
        if (node is null) yield break;
        foreach (var (key, value) in node.Children)
            yield return (KeyText(key), value);
    }

    /// <summary>A Go string field; null when absent or YAML null (the field keeps "").</summary>
    public static string? String(YamlNode? node, string what) => node switch
    {
        null => null,
        YamlScalarNode s => ScalarAsString(s),
        _ => throw new InvalidDataException($"error unmarshaling JSON: cannot unmarshal object into Go value of type string ({what})"),
    };

    public static string? String(YamlMappingNode? map, string name) => String(Field(map, name), name);

    /// <summary>A Go int field (JSON number without fraction); null when absent or null.</summary>
    public static long? Int(YamlMappingNode? map, string name)
    {
        var node = Field(map, name);
        if (node is null) return null;
        if (node is not YamlScalarNode s) throw new InvalidDataException($"error unmarshaling JSON: cannot unmarshal object into Go struct field {name} of type int");
        if (IsNull(s)) return null;
        var resolved = Resolve(s);
        return resolved switch
        {
            long l => l,
            double d when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => (long)d,
            _ => throw new InvalidDataException($"error unmarshaling JSON: cannot unmarshal {JsonKind(resolved)} into Go struct field {name} of type int"),
        };
    }

    /// <summary>A Go []string field.</summary>
    public static IReadOnlyList<string> Strings(YamlMappingNode? map, string name) => Field(map, name) switch
    {
        null => [],
        YamlScalarNode s when IsNull(s) => [],
        YamlSequenceNode seq => seq.Children.Select(c => String(c, name) ?? "").ToList(),
        _ => throw new InvalidDataException($"error unmarshaling JSON: field {name} must be an array"),
    };

    private static string KeyText(YamlNode key) => key is YamlScalarNode s ? Resolve(s) switch
    {
        null => throw new InvalidDataException("unsupported map key of type: <nil>"),
        string str => str,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => ((float)d).ToString(CultureInfo.InvariantCulture),
        var other => other.ToString() ?? "",
    } : throw new InvalidDataException("unsupported map key of type: object");

    private static string? ScalarAsString(YamlScalarNode s) => Resolve(s) switch
    {
        null => null,
        string str => str,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => ((float)d).ToString(CultureInfo.InvariantCulture), // Go: FormatFloat(v, 'g', -1, 32)
        var other => other.ToString(),
    };

    private static string JsonKind(object? value) => value switch
    {
        string => "string",
        bool => "bool",
        double => "number with a fraction",
        _ => "value",
    };

    private static bool IsNull(YamlScalarNode s) => Resolve(s) is null;

    /// <summary>go-yaml v2 resolve for plain scalars; quoted scalars are strings.</summary>
    private static object? Resolve(YamlScalarNode s)
    {
        var v = s.Value ?? "";
        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded) return v;
        if (!s.Tag.IsEmpty && !s.Tag.IsNonSpecific && s.Tag.Value == "tag:yaml.org,2002:str") return v;
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON": return true;
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF": return false;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF": return double.PositiveInfinity;
            case "-.inf" or "-.Inf" or "-.INF": return double.NegativeInfinity;
            case ".nan" or ".NaN" or ".NAN": return double.NaN;
        }
        var plain = v.Replace("_", "", StringComparison.Ordinal);
        if (IntPattern().IsMatch(plain) && long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (HexPattern().IsMatch(plain)) return Convert.ToInt64(plain.TrimStart('+').Replace("0x", "", StringComparison.Ordinal), 16);
        if (FloatPattern().IsMatch(v)) return double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);
        return v;
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex("^\\+?0x[0-9a-fA-F]+$")]
    private static partial Regex HexPattern();

    [GeneratedRegex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
