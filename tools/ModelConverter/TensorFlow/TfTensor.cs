namespace DaprVideo.ModelConverter.TensorFlow;

/// <summary>A constant tensor of the TF graph, read from the weight shards (row-major, TF layout).</summary>
internal sealed class TfTensor
{
    public TfTensor(string name, TfDataType dataType, int[] shape, float[]? floats, int[]? ints)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        Floats = floats;
        Ints = ints;
    }

    public string Name { get; }

    public TfDataType DataType { get; }

    public int[] Shape { get; }

    public int Rank => Shape.Length;

    /// <summary>Values when <see cref="DataType"/> is Float32.</summary>
    public float[]? Floats { get; }

    /// <summary>Values when <see cref="DataType"/> is Int32.</summary>
    public int[]? Ints { get; }

    public float[] RequireFloats() =>
        Floats ?? throw new ConversionException($"constant '{Name}' must be float32");

    public int[] RequireInts() =>
        Ints ?? throw new ConversionException($"constant '{Name}' must be int32");

    public static long ElementCount(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        return count;
    }
}
