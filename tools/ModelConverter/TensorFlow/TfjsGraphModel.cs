using System.Buffers.Binary;
using System.Text.Json;

namespace DaprVideo.ModelConverter.TensorFlow;

/// <summary>
/// A TF.js graph model on disk: model.json (GraphDef as JSON plus a weights manifest) and the
/// binary weight shards it names. Constants live in the shards, keyed by their Const node's name.
/// </summary>
internal sealed class TfjsGraphModel
{
    private TfjsGraphModel(IReadOnlyList<TfNode> nodes, IReadOnlyDictionary<string, TfTensor> weights)
    {
        Nodes = nodes;
        NodesByName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Weights = weights;
    }

    public IReadOnlyList<TfNode> Nodes { get; }

    public IReadOnlyDictionary<string, TfNode> NodesByName { get; }

    public IReadOnlyDictionary<string, TfTensor> Weights { get; }

    public static TfjsGraphModel Load(string modelDirectory)
    {
        var modelJsonPath = Path.Combine(modelDirectory, "model.json");
        if (!File.Exists(modelJsonPath))
        {
            throw new ConversionException($"no model.json in '{modelDirectory}'");
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(modelJsonPath));
        var root = document.RootElement;
        if (!root.TryGetProperty("modelTopology", out var topology) || !topology.TryGetProperty("node", out var nodeArray))
        {
            throw new ConversionException("model.json has no modelTopology.node: not a TF.js graph model");
        }

        var nodes = nodeArray.EnumerateArray().Select(ReadNode).ToList();
        var weights = ReadWeights(root, modelDirectory);
        return new TfjsGraphModel(nodes, weights);
    }

    private static TfNode ReadNode(JsonElement e)
    {
        var name = e.GetProperty("name").GetString() ?? throw new ConversionException("node without a name");
        var op = e.GetProperty("op").GetString() ?? throw new ConversionException($"node '{name}' without an op");
        var inputs = e.TryGetProperty("input", out var i)
            ? i.EnumerateArray().Select(x => x.GetString() ?? string.Empty).ToList()
            : [];
        var attributes = e.TryGetProperty("attr", out var a) ? a.Clone() : default;
        return new TfNode(name, op, inputs, attributes);
    }

    private static Dictionary<string, TfTensor> ReadWeights(JsonElement root, string modelDirectory)
    {
        var weights = new Dictionary<string, TfTensor>(StringComparer.Ordinal);
        if (!root.TryGetProperty("weightsManifest", out var manifest))
        {
            throw new ConversionException("model.json has no weightsManifest");
        }

        foreach (var group in manifest.EnumerateArray())
        {
            // Each group's shards are one buffer cut into files; weights follow each other in it.
            var buffer = group.GetProperty("paths").EnumerateArray()
                .SelectMany(p => File.ReadAllBytes(ShardPath(modelDirectory, p.GetString())))
                .ToArray();
            var offset = 0;
            foreach (var spec in group.GetProperty("weights").EnumerateArray())
            {
                var tensor = ReadWeight(spec, buffer, ref offset);
                weights.Add(tensor.Name, tensor);
            }

            if (offset != buffer.Length)
            {
                throw new ConversionException($"weight shards hold {buffer.Length} bytes but the manifest describes {offset}");
            }
        }

        return weights;
    }

    private static string ShardPath(string modelDirectory, string? shard)
    {
        // Shard names come from the downloaded file: keep them inside the model directory.
        if (string.IsNullOrEmpty(shard) || shard != Path.GetFileName(shard))
        {
            throw new ConversionException($"weight shard path '{shard}' must be a plain file name");
        }

        var path = Path.Combine(modelDirectory, shard);
        return File.Exists(path) ? path : throw new ConversionException($"weight shard '{shard}' is missing");
    }

    private static TfTensor ReadWeight(JsonElement spec, byte[] buffer, ref int offset)
    {
        var name = spec.GetProperty("name").GetString() ?? throw new ConversionException("weight without a name");
        if (spec.TryGetProperty("quantization", out var q) && q.ValueKind != JsonValueKind.Null)
        {
            throw new ConversionException($"weight '{name}' is quantized; only float32/int32 weights are supported");
        }

        var shape = spec.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var count = checked((int)TfTensor.ElementCount(shape));
        var byteCount = checked(count * 4);
        if (offset + byteCount > buffer.Length)
        {
            throw new ConversionException($"weight '{name}' runs past the end of the shards");
        }

        var bytes = buffer.AsSpan(offset, byteCount);
        offset += byteCount;
        var dtype = spec.GetProperty("dtype").GetString();
        switch (dtype)
        {
            case "float32":
                var floats = new float[count];
                for (var k = 0; k < count; k++)
                {
                    floats[k] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * k)..]);
                }

                return new TfTensor(name, TfDataType.Float32, shape, floats, null);
            case "int32":
                var ints = new int[count];
                for (var k = 0; k < count; k++)
                {
                    ints[k] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * k)..]);
                }

                return new TfTensor(name, TfDataType.Int32, shape, null, ints);
            default:
                throw new ConversionException($"weight '{name}' has unsupported dtype '{dtype}'");
        }
    }
}
