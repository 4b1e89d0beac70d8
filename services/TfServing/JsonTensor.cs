using System.Text.Json;

namespace DaprVideo.TfServing;

/// <summary>
/// TF Serving's JSON tensor notation: a tensor is its values nested row-major
/// (<c>[[[r,g,b],...],...]</c>). Reading checks the nesting is rectangular.
/// </summary>
internal static class JsonTensor
{
    /// <summary>Shape of a nested list, found along its first elements.</summary>
    public static long[] ShapeOf(JsonElement value)
    {
        var dims = new List<long>();
        var e = value;
        while (e.ValueKind == JsonValueKind.Array)
        {
            var length = e.GetArrayLength();
            dims.Add(length);
            if (length == 0) break;
            e = e[0];
        }
        return [.. dims];
    }

    /// <summary>Visits every leaf in row-major order after checking it sits where <paramref name="dims"/> says.</summary>
    public static void Flatten(JsonElement value, long[] dims, string name, Action<JsonElement> leaf) =>
        Flatten(value, dims, 0, name, leaf);

    public static float[] ReadFloats(JsonElement value, string name, out long[] dims)
    {
        dims = ShapeOf(value);
        var values = new float[TensorReader.ElementCount(dims)];
        var i = 0;
        Flatten(value, dims, name, leaf =>
        {
            if (leaf.ValueKind != JsonValueKind.Number || !leaf.TryGetSingle(out var f))
                throw new InvalidDataException($"'{name}' holds a non-number ({leaf.ValueKind}).");
            values[i++] = f;
        });
        return values;
    }

    public static void WriteNested(Utf8JsonWriter writer, ReadOnlySpan<float> values, ReadOnlySpan<long> dims) =>
        WriteNested(writer, values, dims, static (w, v) => w.WriteNumberValue(v));

    public static void WriteNested(Utf8JsonWriter writer, ReadOnlySpan<byte> values, ReadOnlySpan<long> dims) =>
        WriteNested(writer, values, dims, static (w, v) => w.WriteNumberValue(v));

    /// <summary>Writes a row-major tensor as nested JSON arrays, one level per dimension.</summary>
    private static void WriteNested<T>(Utf8JsonWriter writer, ReadOnlySpan<T> values, ReadOnlySpan<long> dims, Action<Utf8JsonWriter, T> writeValue)
    {
        if (dims.Length == 0)
        {
            writeValue(writer, values[0]);
            return;
        }
        var stride = values.Length / (int)Math.Max(dims[0], 1);
        writer.WriteStartArray();
        for (var i = 0; i < dims[0]; i++)
            WriteNested(writer, values.Slice(i * stride, stride), dims[1..], writeValue);
        writer.WriteEndArray();
    }

    private static void Flatten(JsonElement value, long[] dims, int depth, string name, Action<JsonElement> leaf)
    {
        if (depth == dims.Length)
        {
            if (value.ValueKind == JsonValueKind.Array)
                throw new InvalidDataException($"'{name}' is nested deeper than its first element.");
            leaf(value);
            return;
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != dims[depth])
            throw new InvalidDataException($"'{name}' is not rectangular: dimension {depth} should have {dims[depth]} entries.");
        foreach (var item in value.EnumerateArray()) Flatten(item, dims, depth + 1, name, leaf);
    }
}
