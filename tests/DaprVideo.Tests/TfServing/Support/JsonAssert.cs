using System.Text.Json.Nodes;

namespace DaprVideo.Tests.TfServing.Support;

/// <summary>Structural JSON equality: same keys, same order of array items, numbers within 1e-6.</summary>
internal static class JsonAssert
{
    public static void Equivalent(string expected, string actual) =>
        Equivalent(JsonNode.Parse(expected), JsonNode.Parse(actual), "$");

    private static void Equivalent(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual?.ToJsonString()}");
                break;
            case JsonObject eo:
                var ao = Assert.IsType<JsonObject>(actual);
                Assert.True(eo.Select(p => p.Key).Order().SequenceEqual(ao.Select(p => p.Key).Order()),
                    $"{path}: keys {string.Join(",", eo.Select(p => p.Key))} vs {string.Join(",", ao.Select(p => p.Key))}");
                foreach (var (key, value) in eo) Equivalent(value, ao[key], $"{path}.{key}");
                break;
            case JsonArray ea:
                var aa = Assert.IsType<JsonArray>(actual);
                Assert.True(ea.Count == aa.Count, $"{path}: {ea.Count} items expected, got {aa.Count}");
                for (var i = 0; i < ea.Count; i++) Equivalent(ea[i], aa[i], $"{path}[{i}]");
                break;
            case JsonValue ev when ev.TryGetValue<double>(out var number):
                Assert.True(actual is JsonValue av && av.TryGetValue<double>(out var got) && Math.Abs(got - number) < 1e-6,
                    $"{path}: expected {number}, got {actual?.ToJsonString()}");
                break;
            default:
                Assert.True(expected.ToJsonString() == actual?.ToJsonString(), $"{path}: expected {expected.ToJsonString()}, got {actual?.ToJsonString()}");
                break;
        }
    }
}
