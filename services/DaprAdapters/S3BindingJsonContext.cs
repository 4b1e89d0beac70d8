using System.Text.Json.Serialization;

namespace DaprVideo.DaprAdapters;

/// <summary>Source-generated JSON for the S3 binding's list payloads (Go field names kept as they are).</summary>
[JsonSerializable(typeof(S3ListRequest))]
[JsonSerializable(typeof(S3ListResult))]
public sealed partial class S3BindingJsonContext : JsonSerializerContext;
