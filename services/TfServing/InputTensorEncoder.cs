using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using Google.Protobuf;
using Tensorflow;

namespace DaprVideo.TfServing;

/// <summary>Builds the signature's <c>inputs</c> tensor: uint8 [N,H,W,3] as raw tensor_content.</summary>
internal static class InputTensorEncoder
{
    /// <param name="size">Square side to scale to, or <see cref="TfServingOptions.FullFrame"/> (all frames must then share a size).</param>
    public static TensorProto Encode(IReadOnlyList<ImageFrame> frames, int size)
    {
        if (frames.Count == 0) throw new ArgumentException("No frames to encode.", nameof(frames));
        var width = size == TfServingOptions.FullFrame ? frames[0].Width : size;
        var height = size == TfServingOptions.FullFrame ? frames[0].Height : size;
        var frameBytes = checked(width * height * 3);
        var content = new byte[checked(frameBytes * frames.Count)];
        for (var i = 0; i < frames.Count; i++)
        {
            if (size == TfServingOptions.FullFrame && (frames[i].Width != width || frames[i].Height != height))
                throw new ArgumentException("Full-frame batches need frames of one size.", nameof(frames));
            FrameResizer.ResizeToRgb(frames[i], width, height, content.AsSpan(i * frameBytes, frameBytes));
        }

        var tensor = new TensorProto
        {
            Dtype = DataType.DtUint8,
            TensorShape = Shape(frames.Count, height, width, 3),
            // The array is ours and never written again, so no defensive copy.
            TensorContent = UnsafeByteOperations.UnsafeWrap(content),
        };
        return tensor;
    }

    public static TensorShapeProto Shape(params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dim { Size = d });
        return shape;
    }
}
