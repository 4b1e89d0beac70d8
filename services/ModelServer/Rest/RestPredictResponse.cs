using System.Buffers;
using System.Text.Json;
using DaprVideo.ModelServer.Serving;
using DaprVideo.TfServing;

namespace DaprVideo.ModelServer.Rest;

/// <summary>
/// Predict replies in TF Serving's two JSON shapes: row <c>{"predictions": [{output: value}, ...]}</c>
/// and columnar <c>{"outputs": {output: batch value}}</c>.
/// </summary>
internal static class RestPredictResponse
{
    public static string Rows(DetectionOutputs outputs) => Write(writer =>
    {
        writer.WriteStartArray("predictions");
        for (var i = 0; i < outputs.Frames; i++)
        {
            writer.WriteStartObject();
            foreach (var name in DetectionOutputs.Names)
            {
                var dims = outputs.Dims(name);
                var perFrame = outputs.Values(name).Length / outputs.Frames;
                writer.WritePropertyName(name);
                JsonTensor.WriteNested(writer, outputs.Values(name).AsSpan(i * perFrame, perFrame), dims.AsSpan(1));
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    });

    public static string Columns(DetectionOutputs outputs) => Write(writer =>
    {
        writer.WriteStartObject("outputs");
        foreach (var name in DetectionOutputs.Names)
        {
            writer.WritePropertyName(name);
            JsonTensor.WriteNested(writer, outputs.Values(name), outputs.Dims(name));
        }
        writer.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
