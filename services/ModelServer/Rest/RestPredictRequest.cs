using System.Text.Json;
using DaprVideo.ModelServer.Serving;

namespace DaprVideo.ModelServer.Rest;

/// <summary>
/// A parsed REST predict body: row format (<c>instances</c>) or columnar (<c>inputs</c>), never both,
/// reduced to one JSON element per image.
/// </summary>
internal sealed record RestPredictRequest(bool RowFormat, string? SignatureName, IReadOnlyList<JsonElement> Images)
{
    public static RestPredictRequest Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw ServingException.InvalidArgument("Request body must be a JSON object.");
        string? signature = null;
        if (root.TryGetProperty("signature_name", out var sig))
        {
            if (sig.ValueKind != JsonValueKind.String)
                throw ServingException.InvalidArgument("'signature_name' must be a string.");
            signature = sig.GetString();
        }
        var hasInstances = root.TryGetProperty("instances", out var instances);
        var hasInputs = root.TryGetProperty("inputs", out var inputs);
        if (hasInstances && hasInputs)
            throw ServingException.InvalidArgument("Not both 'instances' and 'inputs' may be given (row or columnar format, not both).");
        if (!hasInstances && !hasInputs)
            throw ServingException.InvalidArgument("Missing 'inputs' or 'instances' key");
        return hasInstances
            ? new RestPredictRequest(true, signature, Rows(instances))
            : new RestPredictRequest(false, signature, Columns(inputs));
    }

    private static List<JsonElement> Rows(JsonElement instances)
    {
        if (instances.ValueKind != JsonValueKind.Array)
            throw ServingException.InvalidArgument("'instances' must be a list with one entry per image.");
        var images = new List<JsonElement>(instances.GetArrayLength());
        foreach (var instance in instances.EnumerateArray())
        {
            // A named instance {"inputs": image}; anything else is the image itself.
            if (instance.ValueKind == JsonValueKind.Object && !instance.TryGetProperty("b64", out _))
                images.Add(Named(instance, "instance"));
            else
                images.Add(instance);
        }
        return images;
    }

    private static List<JsonElement> Columns(JsonElement inputs)
    {
        if (inputs.ValueKind == JsonValueKind.Object && !inputs.TryGetProperty("b64", out _))
            inputs = Named(inputs, "inputs");
        if (inputs.ValueKind != JsonValueKind.Array)
            throw ServingException.InvalidArgument(
                "'inputs' must be a batch: a [batch][height][width][3] list or a list of {\"b64\": ...}.");
        return [.. inputs.EnumerateArray()];
    }

    private static JsonElement Named(JsonElement map, string what)
    {
        JsonElement? image = null;
        foreach (var property in map.EnumerateObject())
        {
            if (property.Name != DetectionServable.InputName)
                throw ServingException.InvalidArgument(
                    $"{what}: input tensor alias not found in signature: {property.Name}. Inputs expected to be in the set {{{DetectionServable.InputName}}}.");
            image = property.Value;
        }
        return image ?? throw ServingException.InvalidArgument($"{what}: missing input '{DetectionServable.InputName}'.");
    }
}
