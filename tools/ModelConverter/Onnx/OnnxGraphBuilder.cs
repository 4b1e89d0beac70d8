using System.Runtime.InteropServices;
using Google.Protobuf;

namespace DaprVideo.ModelConverter.Onnx;

/// <summary>
/// Appends nodes and initializers to an ONNX graph in topological order and hands out unique
/// value names. Only the small surface the converter needs; everything is opset 13.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string graphName)
    {
        _graph.Name = graphName;
    }

    public GraphProto Graph => _graph;

    /// <summary>Reserves a value name based on <paramref name="hint"/>, suffixing it if taken.</summary>
    public string UniqueName(string hint)
    {
        var name = hint;
        for (var k = 1; !_names.Add(name); k++)
        {
            name = $"{hint}__{k}";
        }

        return name;
    }

    public void AddInput(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _names.Add(name);
        _graph.Input.Add(ValueInfo(name, type, dims));
    }

    public void AddOutput(string name, TensorProto.Types.DataType type, params object[] dims) =>
        _graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>Adds a node with one output named after <paramref name="hint"/> and returns that name.</summary>
    public string Node(string opType, string hint, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Node(opType, hint, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs and returns their names.</summary>
    public IReadOnlyList<string> Node(
        string opType, string hint, IEnumerable<string> inputs, int outputCount, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType };
        node.Input.AddRange(inputs);
        var outputs = new List<string>(outputCount);
        for (var k = 0; k < outputCount; k++)
        {
            outputs.Add(UniqueName(outputCount == 1 ? hint : $"{hint}:{k}"));
        }

        node.Name = outputs[0];
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Adds a node whose single output has an exact, caller-chosen name (graph outputs).</summary>
    public void NamedNode(string opType, string output, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        if (!_names.Add(output))
        {
            throw new InvalidOperationException($"value name '{output}' is already used");
        }

        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    public string FloatInitializer(string hint, IReadOnlyList<long> dims, float[] values)
    {
        var name = UniqueName(hint);
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    public string Int64Initializer(string hint, IReadOnlyList<long> dims, long[] values)
    {
        var name = UniqueName(hint);
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Int64,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto FloatAttribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto StringAttribute(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>Dims are either a fixed size (int/long) or a symbolic name (string) such as the batch "N".</summary>
    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"unsupported dim {dim}", nameof(dims)),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
