using System.Buffers;
using System.Text.Json;
using Tensorflow;
using Tensorflow.Serving;

namespace DaprVideo.TfServing;

/// <summary>
/// The REST predict body in columnar form, <c>{"signature_name": ..., "inputs": {name: nested list}}</c>,
/// and its reply <c>{"outputs": {name: nested list}}</c>, mapped to and from the gRPC messages.
/// </summary>
internal static class RestPredictJson
{
    public static void WriteRequest(PredictRequest request, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        if (!string.IsNullOrEmpty(request.ModelSpec?.SignatureName))
            writer.WriteString("signature_name", request.ModelSpec.SignatureName);
        writer.WriteStartObject("inputs");
        foreach (var (name, tensor) in request.Inputs)
        {
            writer.WritePropertyName(name);
            var dims = TensorReader.Dims(tensor);
            if (tensor.Dtype == DataType.DtUint8)
                JsonTensor.WriteNested(writer, TensorReader.ReadBytes(tensor, name).Span, dims);
            else
                JsonTensor.WriteNested(writer, TensorReader.ReadFloats(tensor, name), dims);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static PredictResponse ReadResponse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Reply is not JSON: {ex.Message}", ex);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("outputs", out var outputs) ||
                outputs.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException("Reply has no \"outputs\" object (columnar predict response).");

            var response = new PredictResponse();
            foreach (var output in outputs.EnumerateObject())
            {
                var values = JsonTensor.ReadFloats(output.Value, output.Name, out var dims);
                var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = InputTensorEncoder.Shape(dims) };
                tensor.FloatVal.AddRange(values);
                response.Outputs[output.Name] = tensor;
            }
            return response;
        }
    }

    /// <summary>The message of a <c>{"error": "..."}</c> body, or the body's start when it is something else.</summary>
    public static string ReadError(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
                return error.GetString() ?? "";
        }
        catch (JsonException)
        {
            // Not TF Serving's error shape; fall through to the raw text.
        }
        var text = System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]);
        return text.ReplaceLineEndings(" ");
    }
}
