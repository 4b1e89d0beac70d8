using System.Buffers.Binary;
using Tensorflow;

namespace DaprVideo.TfServing;

/// <summary>
/// Reads a <see cref="TensorProto"/> in either of its encodings (raw little-endian
/// <c>tensor_content</c> or the typed <c>*_val</c> lists) and checks it against its shape.
/// Malformed tensors raise <see cref="InvalidDataException"/>.
/// </summary>
internal static class TensorReader
{
    public static long[] Dims(TensorProto tensor)
    {
        var dims = new long[tensor.TensorShape?.Dim.Count ?? 0];
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = tensor.TensorShape!.Dim[i].Size;
            if (dims[i] < 0) throw new InvalidDataException($"Tensor dimension {i} is {dims[i]}.");
        }
        return dims;
    }

    public static long ElementCount(long[] dims)
    {
        long count = 1;
        foreach (var d in dims) count = checked(count * d);
        return count;
    }

    public static float[] ReadFloats(TensorProto tensor, string name)
    {
        var dims = Dims(tensor);
        float[] values;
        if (!tensor.TensorContent.IsEmpty)
        {
            var raw = tensor.TensorContent.Span;
            var width = tensor.Dtype switch
            {
                DataType.DtFloat or DataType.DtInt32 => 4,
                DataType.DtDouble or DataType.DtInt64 => 8,
                DataType.DtUint8 => 1,
                _ => throw new InvalidDataException($"Output '{name}' has unsupported dtype {tensor.Dtype}."),
            };
            if (raw.Length % width != 0)
                throw new InvalidDataException($"Output '{name}' has {raw.Length} content bytes, not a multiple of {width}.");
            values = new float[raw.Length / width];
            for (var i = 0; i < values.Length; i++)
            {
                var item = raw.Slice(i * width, width);
                values[i] = tensor.Dtype switch
                {
                    DataType.DtFloat => BinaryPrimitives.ReadSingleLittleEndian(item),
                    DataType.DtInt32 => BinaryPrimitives.ReadInt32LittleEndian(item),
                    DataType.DtDouble => (float)BinaryPrimitives.ReadDoubleLittleEndian(item),
                    DataType.DtInt64 => BinaryPrimitives.ReadInt64LittleEndian(item),
                    _ => item[0],
                };
            }
        }
        else
        {
            values = tensor.Dtype switch
            {
                DataType.DtFloat => [.. tensor.FloatVal],
                DataType.DtDouble => [.. tensor.DoubleVal.Select(v => (float)v)],
                DataType.DtInt32 or DataType.DtUint8 => [.. tensor.IntVal.Select(v => (float)v)],
                DataType.DtInt64 => [.. tensor.Int64Val.Select(v => (float)v)],
                _ => throw new InvalidDataException($"Output '{name}' has unsupported dtype {tensor.Dtype}."),
            };
        }
        CheckCount(dims, values.Length, name);
        return values;
    }

    /// <summary>uint8 values (image pixels); int_val entries must be 0..255.</summary>
    public static ReadOnlyMemory<byte> ReadBytes(TensorProto tensor, string name)
    {
        if (tensor.Dtype != DataType.DtUint8)
            throw new InvalidDataException($"Input '{name}' must be DT_UINT8, got {tensor.Dtype}.");
        var dims = Dims(tensor);
        ReadOnlyMemory<byte> values;
        if (!tensor.TensorContent.IsEmpty)
        {
            values = tensor.TensorContent.Memory;
        }
        else
        {
            var bytes = new byte[tensor.IntVal.Count];
            for (var i = 0; i < bytes.Length; i++)
            {
                var v = tensor.IntVal[i];
                if (v is < 0 or > 255) throw new InvalidDataException($"Input '{name}' value {v} is outside uint8.");
                bytes[i] = (byte)v;
            }
            values = bytes;
        }
        CheckCount(dims, values.Length, name);
        return values;
    }

    private static void CheckCount(long[] dims, int count, string name)
    {
        // TF's version-0 rule lets a single value fill the shape; detection tensors never rely on it.
        if (dims.Length > 0 && ElementCount(dims) != count)
            throw new InvalidDataException(
                $"Tensor '{name}' holds {count} values but its shape [{string.Join(",", dims)}] needs {ElementCount(dims)}.");
    }
}
