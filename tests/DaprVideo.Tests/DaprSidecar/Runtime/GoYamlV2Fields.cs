using System.Globalization;

namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// gopkg.in/yaml.v2 (non-strict <c>Unmarshal</c>, v2.4.0 <c>decode.go</c>) filling Go struct fields, as the Dapr CLI
/// reads the run file: keys must match the yaml tag exactly (case-sensitive), unknown keys are silently ignored,
/// a repeated key overwrites, any scalar fits a string field as its literal text (<c>32</c> → "32"), an int field takes
/// ints (and truncated floats), a bool field only YAML 1.1 booleans; mismatches are collected as
/// <c>line N: cannot unmarshal !!str `x` into int</c>.
/// </summary>
internal sealed class GoYamlV2Fields(GoYamlMap? map, List<string> typeErrors)
{
    private readonly Dictionary<string, GoYamlNode> _fields = Index(map);

    private static Dictionary<string, GoYamlNode> Index(GoYamlMap? map)
    {
        var fields = new Dictionary<string, GoYamlNode>(StringComparer.Ordinal);
        if (map is null) return fields;
        foreach (var (key, value) in map.Entries)
            if (key is GoYamlScalar k) fields[k.Text] = value; // v2 decodes a key into a string field as its text
        return fields;
    }

    public bool Has(string key) => _fields.ContainsKey(key);

    public GoYamlNode? Node(string key) => _fields.GetValueOrDefault(key);

    public string String(string key) => StringOrNull(key) ?? "";

    /// <summary>A <c>*string</c> field: null when absent or YAML null.</summary>
    public string? StringOrNull(string key)
    {
        if (!_fields.TryGetValue(key, out var node)) return null;
        if (node is GoYamlScalar s) return GoScalar.Resolve(s).Kind == GoScalarKind.Null ? null : s.Text;
        Mismatch(node, "string");
        return null;
    }

    public long Int(string key)
    {
        if (!_fields.TryGetValue(key, out var node)) return 0;
        if (node is GoYamlScalar s)
        {
            var v = GoScalar.Resolve(s);
            switch (v.Kind)
            {
                case GoScalarKind.Null: return 0;
                case GoScalarKind.Int: return v.Int;
                case GoScalarKind.UInt when v.UInt <= long.MaxValue: return (long)v.UInt;
                case GoScalarKind.Float when v.Float <= long.MaxValue && v.Float >= long.MinValue: return (long)v.Float;
            }
        }
        Mismatch(node, "int");
        return 0;
    }

    public bool Bool(string key)
    {
        if (!_fields.TryGetValue(key, out var node)) return false;
        if (node is GoYamlScalar s)
        {
            var v = GoScalar.Resolve(s);
            if (v.Kind == GoScalarKind.Bool) return v.Bool;
            if (v.Kind == GoScalarKind.Null) return false;
        }
        Mismatch(node, "bool");
        return false;
    }

    /// <summary>A <c>[]string</c> field: null when absent/null (Go nil slice), else the items' texts.</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        if (!_fields.TryGetValue(key, out var node)) return null;
        switch (node)
        {
            case GoYamlScalar s when GoScalar.Resolve(s).Kind == GoScalarKind.Null: return null;
            case GoYamlSeq seq:
                var items = new List<string>();
                foreach (var item in seq.Items)
                {
                    if (item is GoYamlScalar si) items.Add(GoScalar.Resolve(si).Kind == GoScalarKind.Null ? "" : si.Text);
                    else { Mismatch(item, "string"); items.Add(""); }
                }
                return items;
            default:
                Mismatch(node, "[]string");
                return null;
        }
    }

    /// <summary>A <c>map[string]string</c> field: null when absent/null (Go nil map).</summary>
    public IReadOnlyDictionary<string, string>? StringMap(string key)
    {
        if (!_fields.TryGetValue(key, out var node)) return null;
        switch (node)
        {
            case GoYamlScalar s when GoScalar.Resolve(s).Kind == GoScalarKind.Null: return null;
            case GoYamlMap m:
                var result = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (k, v) in m.Entries)
                {
                    if (k is not GoYamlScalar ks) { Mismatch(k, "string"); continue; }
                    if (v is GoYamlScalar vs) result[ks.Text] = GoScalar.Resolve(vs).Kind == GoScalarKind.Null ? "" : vs.Text;
                    else Mismatch(v, "string");
                }
                return result;
            default:
                Mismatch(node, "map[string]string");
                return null;
        }
    }

    public GoYamlMap? Map(string key, string goType)
    {
        if (!_fields.TryGetValue(key, out var node)) return null;
        if (node is GoYamlMap m) return m;
        if (node is GoYamlScalar s && GoScalar.Resolve(s).Kind == GoScalarKind.Null) return null;
        Mismatch(node, goType);
        return null;
    }

    public IReadOnlyList<GoYamlNode>? Seq(string key, string goType)
    {
        if (!_fields.TryGetValue(key, out var node)) return null;
        if (node is GoYamlSeq s) return s.Items;
        if (node is GoYamlScalar sc && GoScalar.Resolve(sc).Kind == GoScalarKind.Null) return null;
        Mismatch(node, goType);
        return null;
    }

    public void Mismatch(GoYamlNode node, string goType)
    {
        var what = node switch
        {
            GoYamlMap => "!!map",
            GoYamlSeq => "!!seq",
            GoYamlScalar s => $"{GoScalar.Resolve(s).ShortTag} `{s.Text}`",
            _ => "?",
        };
        typeErrors.Add(string.Create(CultureInfo.InvariantCulture, $"line {node.Line}: cannot unmarshal {what} into {goType}"));
    }
}
