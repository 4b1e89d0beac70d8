using System.Text.Json;
using DaprVideo.Core.Video;
using DaprVideo.Media.Images;
using DaprVideo.TfServing;
using SkiaSharp;
using Tensorflow;

namespace DaprVideo.ModelServer.Serving;

/// <summary>
/// Turns the signature's <c>inputs</c> into frames: a uint8 [N,H,W,3] tensor (tensor_content,
/// int_val, or JSON nested lists) or encoded images (DT_STRING, or JSON <c>{"b64": ...}</c>),
/// decoded with SkiaSharp. Every malformed input raises INVALID_ARGUMENT.
/// </summary>
public static class ImageInputDecoder
{
    /// <summary>Largest side of one image, decoded or raw.</summary>
    public const int MaxSide = 8192;

    public static IReadOnlyList<ImageFrame> FromTensor(TensorProto tensor, long maxDecodedBytes)
    {
        try
        {
            return tensor.Dtype switch
            {
                DataType.DtUint8 => FromPixelTensor(tensor),
                DataType.DtString => FromEncoded(tensor.StringVal.Select(s => s.ToByteArray()), maxDecodedBytes),
                _ => throw ServingException.InvalidArgument(
                    $"Expects arg[0] to be uint8 (or encoded images as string) but {Name(tensor.Dtype)} is provided"),
            };
        }
        catch (Exception ex) when (ex is InvalidDataException or OverflowException)
        {
            throw ServingException.InvalidArgument(ex.Message, ex);
        }
    }

    /// <summary>One image per element: a nested [H][W][3] list, or <c>{"b64": ...}</c>.</summary>
    public static IReadOnlyList<ImageFrame> FromJson(IReadOnlyList<JsonElement> images, long maxDecodedBytes)
    {
        var frames = new List<ImageFrame>(images.Count);
        long decoded = 0;
        foreach (var image in images)
        {
            var frame = image.ValueKind switch
            {
                JsonValueKind.Array => FromNestedList(image),
                JsonValueKind.Object when image.TryGetProperty("b64", out var b64) => FromBase64(b64),
                _ => throw ServingException.InvalidArgument(
                    $"An image must be a [height][width][3] list of 0..255 or {{\"b64\": ...}}, not {image.ValueKind}."),
            };
            decoded += frame.Pixels.Length;
            if (decoded > maxDecodedBytes)
                throw ServingException.InvalidArgument($"Images decode to more than {maxDecodedBytes} bytes.");
            frames.Add(frame);
        }
        return frames;
    }

    private static ImageFrame[] FromPixelTensor(TensorProto tensor)
    {
        var dims = TensorReader.Dims(tensor);
        if (dims.Length != 4 || dims[3] != 3)
            throw ServingException.InvalidArgument(
                $"Input 'inputs' must have shape [batch, height, width, 3], got [{string.Join(",", dims)}].");
        var (n, h, w) = ((int)Math.Min(dims[0], int.MaxValue), dims[1], dims[2]);
        if (h is < 1 or > MaxSide || w is < 1 or > MaxSide)
            throw ServingException.InvalidArgument($"Image size {w}x{h} is outside 1..{MaxSide} per side.");
        var pixels = TensorReader.ReadBytes(tensor, "inputs");
        var frameBytes = (int)(h * w * 3);
        var frames = new ImageFrame[n];
        for (var i = 0; i < n; i++)
            frames[i] = ImageFrame.Rgb(pixels.Slice(i * frameBytes, frameBytes), (int)w, (int)h);
        return frames;
    }

    private static ImageFrame FromNestedList(JsonElement image)
    {
        var dims = JsonTensor.ShapeOf(image);
        if (dims.Length != 3 || dims[2] != 3 || dims[0] is < 1 or > MaxSide || dims[1] is < 1 or > MaxSide)
            throw ServingException.InvalidArgument(
                $"An image list must have shape [height, width, 3] (sides 1..{MaxSide}), got [{string.Join(",", dims)}].");
        var pixels = new byte[dims[0] * dims[1] * 3];
        var i = 0;
        try
        {
            JsonTensor.Flatten(image, dims, "inputs", leaf =>
            {
                if (leaf.ValueKind != JsonValueKind.Number || !leaf.TryGetInt32(out var v) || v is < 0 or > 255)
                    throw new InvalidDataException($"Pixel value {leaf.GetRawText()} is not an integer 0..255.");
                pixels[i++] = (byte)v;
            });
        }
        catch (InvalidDataException ex)
        {
            throw ServingException.InvalidArgument(ex.Message, ex);
        }
        return ImageFrame.Rgb(pixels, (int)dims[1], (int)dims[0]);
    }

    private static ImageFrame FromBase64(JsonElement b64)
    {
        if (b64.ValueKind != JsonValueKind.String || !b64.TryGetBytesFromBase64(out var bytes))
            throw ServingException.InvalidArgument("\"b64\" must hold a base64 string.");
        return Decode(bytes);
    }

    private static ImageFrame[] FromEncoded(IEnumerable<byte[]> images, long maxDecodedBytes)
    {
        var frames = new List<ImageFrame>();
        long decoded = 0;
        foreach (var bytes in images)
        {
            var frame = Decode(bytes);
            decoded += frame.Pixels.Length;
            if (decoded > maxDecodedBytes)
                throw ServingException.InvalidArgument($"Images decode to more than {maxDecodedBytes} bytes.");
            frames.Add(frame);
        }
        return [.. frames];
    }

    private static ImageFrame Decode(byte[] bytes)
    {
        if (bytes.Length == 0) throw ServingException.InvalidArgument("An encoded image is empty.");
        // Read the header first so a small file claiming a huge picture is refused before allocation.
        using (var data = SKData.CreateCopy(bytes))
        using (var codec = SKCodec.Create(data))
        {
            if (codec is null) throw ServingException.InvalidArgument("An encoded image is not in a known format (PNG, JPEG, ...).");
            if (codec.Info.Width is < 1 or > MaxSide || codec.Info.Height is < 1 or > MaxSide)
                throw ServingException.InvalidArgument($"Encoded image size {codec.Info.Width}x{codec.Info.Height} is outside 1..{MaxSide} per side.");
        }
        try
        {
            return DecodedImage.Decode(bytes).Frame;
        }
        catch (InvalidDataException ex)
        {
            throw ServingException.InvalidArgument(ex.Message, ex);
        }
    }

    private static string Name(DataType dtype) => dtype switch
    {
        DataType.DtFloat => "float",
        DataType.DtDouble => "double",
        DataType.DtInt32 => "int32",
        DataType.DtInt64 => "int64",
        DataType.DtInvalid => "invalid",
        _ => dtype.ToString(),
    };
}
