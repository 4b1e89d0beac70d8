using System.Text.Json.Serialization;

namespace DaprVideo.DaprAdapters;

/// <summary>The S3 binding's <c>list</c> request data (components-contrib <c>listPayload</c>).</summary>
public sealed record S3ListRequest(
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("marker")] string Marker,
    [property: JsonPropertyName("maxResults")] int MaxResults,
    [property: JsonPropertyName("delimiter")] string Delimiter);
