using System.Globalization;
using System.Text;

namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// How daprd decodes a resource manifest: <c>sigs.k8s.io/yaml</c> turns the go-yaml v2 value into JSON and
/// <c>encoding/json</c> fills the Go struct (kubernetes-sigs/yaml <c>yaml.go</c> <c>convertToJSONableObject</c>).
/// Consequences modelled here: unknown keys are ignored; struct keys match case-insensitively, and because the JSON
/// object's keys come out sorted, of several spellings the last in ordinal order wins (so exact lowercase usually);
/// a number or bool given for a string field becomes its text (<c>version: 1</c> → "1", floats as Go 'g' 32-bit);
/// a wrong type anywhere rejects the whole manifest.
/// </summary>
internal static class K8sYaml
{
    /// <summary>The map's entries as JSON object members: keys as strings, duplicates last-wins, sorted ordinally.</summary>
    public static IReadOnlyList<KeyValuePair<string, GoYamlNode>> Members(GoYamlMap map)
    {
        var members = new Dictionary<string, GoYamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries) members[KeyText(key)] = value;
        return [.. members.OrderBy(m => m.Key, StringComparer.Ordinal)];
    }

    /// <summary>The value <c>encoding/json</c> would put in the struct field <paramref name="name"/>.</summary>
    public static GoYamlNode? Field(GoYamlMap? map, string name)
    {
        if (map is null) return null;
        GoYamlNode? found = null;
        foreach (var (key, value) in Members(map))
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) found = value;
        return found;
    }

    public static GoYamlMap? AsObject(GoYamlNode? node, string field, List<string> errors)
    {
        switch (node)
        {
            case null: return null;
            case GoYamlMap m: return m;
            case GoYamlScalar s when GoScalar.Resolve(s).Kind == GoScalarKind.Null: return null;
            default:
                errors.Add($"json: cannot unmarshal {JsonKind(node)} into Go struct field {field} of type object");
                return null;
        }
    }

    /// <summary>A Go string field: scalars as text (numbers/bools converted like sigs.k8s.io/yaml), null → null.</summary>
    public static string? AsString(GoYamlNode? node, string field, List<string> errors)
    {
        if (node is null) return null;
        if (node is not GoYamlScalar s)
        {
            errors.Add($"json: cannot unmarshal {JsonKind(node)} into Go struct field {field} of type string");
            return null;
        }
        var v = GoScalar.Resolve(s);
        return v.Kind switch
        {
            GoScalarKind.Null => null,
            GoScalarKind.Bool => v.Bool ? "true" : "false",
            GoScalarKind.Int => v.Int.ToString(CultureInfo.InvariantCulture),
            GoScalarKind.UInt => v.UInt.ToString(CultureInfo.InvariantCulture),
            GoScalarKind.Float => GoFormat.FloatG(v.Float, 32),
            _ => s.Text,
        };
    }

    public static bool AsBool(GoYamlNode? node, string field, List<string> errors)
    {
        if (node is null) return false;
        if (node is GoYamlScalar s)
        {
            var v = GoScalar.Resolve(s);
            if (v.Kind == GoScalarKind.Bool) return v.Bool;
            if (v.Kind == GoScalarKind.Null) return false;
        }
        errors.Add($"json: cannot unmarshal {JsonKind(node)} into Go struct field {field} of type bool");
        return false;
    }

    public static IReadOnlyList<string> AsStringList(GoYamlNode? node, string field, List<string> errors)
    {
        switch (node)
        {
            case null: return [];
            case GoYamlScalar s when GoScalar.Resolve(s).Kind == GoScalarKind.Null: return [];
            case GoYamlSeq seq: return [.. seq.Items.Select(i => AsString(i, field, errors) ?? "")];
            default:
                errors.Add($"json: cannot unmarshal {JsonKind(node)} into Go struct field {field} of type []string");
                return [];
        }
    }

    /// <summary>
    /// <c>DynamicValue.String()</c> of a metadata <c>value</c> (dapr pkg/apis/common/namevalue.go): the JSON text,
    /// unquoted when it is a string. Null (or absent) means "no value".
    /// </summary>
    public static string? DynamicValueString(GoYamlNode? node, List<string> errors)
    {
        if (node is null) return null;
        if (node is GoYamlScalar s)
        {
            var v = GoScalar.Resolve(s);
            if (v.Kind == GoScalarKind.Null) return null;
            if (v.Kind == GoScalarKind.Str) return s.Text;
        }
        var json = new StringBuilder();
        if (!WriteJson(node, json, errors)) return null;
        var text = json.ToString();
        return GoFormat.Unquote(text) ?? text;
    }

    private static bool WriteJson(GoYamlNode node, StringBuilder sb, List<string> errors)
    {
        switch (node)
        {
            case GoYamlScalar s:
                var v = GoScalar.Resolve(s);
                switch (v.Kind)
                {
                    case GoScalarKind.Null: sb.Append("null"); return true;
                    case GoScalarKind.Bool: sb.Append(v.Bool ? "true" : "false"); return true;
                    case GoScalarKind.Int: sb.Append(v.Int.ToString(CultureInfo.InvariantCulture)); return true;
                    case GoScalarKind.UInt: sb.Append(v.UInt.ToString(CultureInfo.InvariantCulture)); return true;
                    case GoScalarKind.Float when double.IsNaN(v.Float) || double.IsInfinity(v.Float):
                        errors.Add($"json: unsupported value: {GoFormat.FloatG(v.Float, 64)}");
                        return false;
                    case GoScalarKind.Float: sb.Append(GoFormat.JsonFloat(v.Float)); return true;
                    default: WriteJsonString(s.Text, sb); return true;
                }
            case GoYamlSeq seq:
                sb.Append('[');
                for (var i = 0; i < seq.Items.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    if (!WriteJson(seq.Items[i], sb, errors)) return false;
                }
                sb.Append(']');
                return true;
            case GoYamlMap map:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in Members(map))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteJsonString(key, sb);
                    sb.Append(':');
                    if (!WriteJson(value, sb, errors)) return false;
                }
                sb.Append('}');
                return true;
        }
        return false;
    }

    /// <summary>Go <c>encoding/json</c> string encoding, HTML-safe as <c>json.Marshal</c> is.</summary>
    private static void WriteJsonString(string s, StringBuilder sb)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
    }

    private static string KeyText(GoYamlNode key)
    {
        if (key is not GoYamlScalar s) return "";
        var v = GoScalar.Resolve(s);
        return v.Kind switch
        {
            GoScalarKind.Bool => v.Bool ? "true" : "false",
            GoScalarKind.Int => v.Int.ToString(CultureInfo.InvariantCulture),
            GoScalarKind.UInt => v.UInt.ToString(CultureInfo.InvariantCulture),
            GoScalarKind.Float => GoFormat.FloatG(v.Float, 32),
            _ => s.Text,
        };
    }

    private static string JsonKind(GoYamlNode node) => node switch
    {
        GoYamlMap => "object",
        GoYamlSeq => "array",
        GoYamlScalar s => GoScalar.Resolve(s).Kind switch
        {
            GoScalarKind.Bool => "bool",
            GoScalarKind.Int or GoScalarKind.UInt or GoScalarKind.Float => "number",
            _ => "string",
        },
        _ => "value",
    };
}
