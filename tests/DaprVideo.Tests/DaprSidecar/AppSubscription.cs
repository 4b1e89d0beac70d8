using System.Text.Json;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>One entry of the app's <c>GET /dapr/subscribe</c> answer (v1 <c>route</c> or v2 <c>routes.default</c>).</summary>
public sealed record AppSubscription(string PubsubName, string Topic, string Route, string? DeadLetterTopic)
{
    /// <summary>Parses the JSON array daprd reads; property names are matched case-insensitively like Go's decoder.</summary>
    public static IReadOnlyList<AppSubscription> Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<AppSubscription>();
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            string? Get(string name) => Property(entry, name) is { ValueKind: JsonValueKind.String } p ? p.GetString() : null;
            var route = Get("route");
            if (Property(entry, "routes") is { ValueKind: JsonValueKind.Object } routes)
            {
                if (Property(routes, "rules") is { ValueKind: JsonValueKind.Array } rules && rules.GetArrayLength() > 0)
                    throw new NotSupportedException("The stand-in does not evaluate CEL routing rules.");
                if (Property(routes, "default") is { ValueKind: JsonValueKind.String } d) route = d.GetString();
            }
            if (Property(entry, "metadata") is { ValueKind: JsonValueKind.Object } md
                && Property(md, "rawPayload") is { ValueKind: JsonValueKind.String } raw && raw.GetString() == "true")
                throw new NotSupportedException("The stand-in delivers CloudEvents only (no rawPayload).");

            list.Add(new AppSubscription(
                Get("pubsubname") ?? throw new InvalidDataException("subscription without pubsubname"),
                Get("topic") ?? throw new InvalidDataException("subscription without topic"),
                "/" + (route ?? throw new InvalidDataException("subscription without route")).TrimStart('/'),
                string.IsNullOrEmpty(Get("deadLetterTopic")) ? null : Get("deadLetterTopic")));
        }
        return list;
    }

    private static JsonElement? Property(JsonElement obj, string name)
    {
        foreach (var p in obj.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return null;
    }
}
