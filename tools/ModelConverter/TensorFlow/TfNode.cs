using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DaprVideo.ModelConverter.TensorFlow;

/// <summary>One NodeDef of the GraphDef-as-JSON that TF.js writes into model.json.</summary>
internal sealed class TfNode
{
    private readonly JsonElement _attributes;

    public TfNode(string name, string op, IReadOnlyList<string> inputs, JsonElement attributes)
    {
        Name = name;
        Op = op;
        Inputs = inputs;
        _attributes = attributes;
    }

    public string Name { get; }

    public string Op { get; }

    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Data inputs only (control dependencies dropped), in order.</summary>
    public IReadOnlyList<TfTensorRef> DataInputs =>
        Inputs.Select(TfTensorRef.Parse).OfType<TfTensorRef>().ToList();

    public long GetInt(string name, long fallback)
    {
        if (!TryGetAttribute(name, out var attr) || !attr.TryGetProperty("i", out var i))
        {
            return fallback;
        }

        return ParseInt64(i);
    }

    public float GetFloat(string name, float fallback)
    {
        if (!TryGetAttribute(name, out var attr) || !attr.TryGetProperty("f", out var f))
        {
            return fallback;
        }

        return f.ValueKind == JsonValueKind.String
            ? float.Parse(f.GetString()!, CultureInfo.InvariantCulture)
            : f.GetSingle();
    }

    public bool GetBool(string name, bool fallback)
    {
        if (!TryGetAttribute(name, out var attr) || !attr.TryGetProperty("b", out var b))
        {
            return fallback;
        }

        return b.GetBoolean();
    }

    public long[] GetInts(string name)
    {
        if (!TryGetAttribute(name, out var attr)
            || !attr.TryGetProperty("list", out var list)
            || !list.TryGetProperty("i", out var items))
        {
            return [];
        }

        return items.EnumerateArray().Select(ParseInt64).ToArray();
    }

    /// <summary>String attribute; TF.js writes bytes either as base64 or as a list of byte values.</summary>
    public string? GetString(string name)
    {
        if (!TryGetAttribute(name, out var attr) || !attr.TryGetProperty("s", out var s))
        {
            return null;
        }

        return s.ValueKind switch
        {
            JsonValueKind.Array => Encoding.UTF8.GetString(s.EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray()),
            JsonValueKind.String => Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString()!)),
            _ => throw new ConversionException($"node '{Name}': attribute '{name}' has an unexpected encoding"),
        };
    }

    private bool TryGetAttribute(string name, out JsonElement attr)
    {
        attr = default;
        return _attributes.ValueKind == JsonValueKind.Object && _attributes.TryGetProperty(name, out attr);
    }

    // Int64 attributes are JSON strings in TF.js output (protobuf JSON mapping), plain numbers elsewhere.
    private static long ParseInt64(JsonElement e) =>
        e.ValueKind == JsonValueKind.String
            ? long.Parse(e.GetString()!, CultureInfo.InvariantCulture)
            : e.GetInt64();
}
