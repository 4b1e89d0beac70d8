using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// Wraps a published payload the way daprd does (dapr/dapr pkg/runtime/pubsub NewCloudEvent and
/// components-contrib pubsub/envelope.go): CloudEvents 1.0 with Dapr's extensions topic, pubsubname,
/// traceid/traceparent/tracestate; JSON data embedded, binary data as <c>data_base64</c>, other text as a string;
/// request metadata <c>cloudevent.*</c> overrides id, source, type, subject, traceparent, tracestate.
/// </summary>
public static class CloudEventEnvelope
{
    public const string ContentType = "application/cloudevents+json";

    public static JsonObject Create(
        string appId, string pubsub, string topic, byte[] data, string? dataContentType,
        IReadOnlyDictionary<string, string> metadata, string? incomingTraceParent, string? incomingTraceState)
    {
        string? Override(string name) =>
            metadata.FirstOrDefault(kv => string.Equals(kv.Key, "cloudevent." + name, StringComparison.OrdinalIgnoreCase)).Value;

        var contentType = string.IsNullOrEmpty(dataContentType) ? "text/plain" : dataContentType;
        // daprd records its own span as child of the caller's; the trace id is what links publisher and subscriber.
        var traceParent = Override("traceparent") ?? Override("traceid") ?? ChildOf(incomingTraceParent);
        var traceState = Override("tracestate") ?? incomingTraceState ?? "";

        if (contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            // Already a CloudEvent: daprd keeps it and adds the Dapr fields.
            var existing = JsonNode.Parse(data)!.AsObject();
            existing["time"] ??= Now();
            if (!existing.ContainsKey("traceid")) { existing["traceid"] = traceParent; existing["traceparent"] = traceParent; }
            if (!existing.ContainsKey("tracestate")) existing["tracestate"] = traceState;
            existing["topic"] = topic;
            existing["pubsubname"] = pubsub;
            existing["source"] ??= "Dapr";
            existing["type"] ??= "com.dapr.event.sent";
            existing["specversion"] ??= "1.0";
            return existing;
        }

        var ce = new JsonObject
        {
            ["id"] = Override("id") ?? Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["datacontenttype"] = contentType,
            ["source"] = Override("source") ?? appId,
            ["type"] = Override("type") ?? "com.dapr.event.sent",
            ["topic"] = topic,
            ["pubsubname"] = pubsub,
            ["traceid"] = traceParent ?? "",
            ["traceparent"] = traceParent ?? "",
            ["tracestate"] = traceState,
            ["time"] = Now(),
        };
        if (Override("subject") is { Length: > 0 } subject) ce["subject"] = subject;

        if (IsJson(contentType))
        {
            try { ce["data"] = JsonNode.Parse(data); }
            catch (JsonException) { ce["data"] = System.Text.Encoding.UTF8.GetString(data); }
        }
        else if (IsBinary(contentType))
        {
            ce["data_base64"] = Convert.ToBase64String(data);
        }
        else
        {
            ce["data"] = System.Text.Encoding.UTF8.GetString(data);
        }
        return ce;
    }

    /// <summary>A W3C traceparent with the same trace id and a new span id: daprd's span under the caller's.</summary>
    public static string? ChildOf(string? traceParent)
    {
        var parts = traceParent?.Split('-');
        if (parts is not { Length: 4 } || parts[1].Length != 32) return null;
        var span = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64(1, long.MaxValue)));
        return $"{parts[0]}-{parts[1]}-{span}-{parts[3]}";
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);

    private static bool IsJson(string contentType)
    {
        var media = contentType.Split(';')[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsBinary(string contentType)
    {
        var media = contentType.Split(';')[0].Trim();
        return media.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/x-protobuf", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/protobuf", StringComparison.OrdinalIgnoreCase)
            || media.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
            || media.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            || media.StartsWith("audio/", StringComparison.OrdinalIgnoreCase);
    }
}
