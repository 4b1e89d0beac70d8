using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// The stand-in's <c>bindings.aws.s3</c> component: the request/response shapes and error texts of
/// components-contrib bindings/aws/s3/s3.go (create/get/delete/list) over a pluggable bucket.
/// Errors are thrown as <see cref="BindingException"/> with the binding's own message; the gRPC layer
/// wraps them the way daprd does.
/// </summary>
public sealed class S3BindingEmulator(IObjectBackend backend, bool decodeBase64 = false, bool encodeBase64 = false) : IOutputBinding
{
    public IObjectBackend Backend { get; } = backend;

    /// <summary>Every operation invoked, in order (test hook).</summary>
    public IReadOnlyList<string> Operations { get { lock (_operations) return [.. _operations]; } }

    private readonly List<string> _operations = [];

    public async Task<(byte[] Data, IDictionary<string, string> Metadata)> InvokeAsync(
        string operation, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        lock (_operations) _operations.Add(operation);
        return operation switch
        {
            "create" => await CreateAsync(data, metadata, cancellationToken),
            "get" => await GetAsync(metadata, cancellationToken),
            "delete" => await DeleteAsync(metadata, cancellationToken),
            "list" => await ListAsync(data, cancellationToken),
            // daprd checks the component's Operations() first (dapr pkg/runtime/processor/binding/send.go).
            _ => throw new BindingException($"binding objectstore does not support operation {operation}. supported operations:create get delete list presign bulkGet bulkCreate bulkDelete"),
        };
    }

    private async Task<(byte[], IDictionary<string, string>)> CreateAsync(
        byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var key = metadata.GetValueOrDefault("key");
        if (string.IsNullOrEmpty(key)) key = Guid.NewGuid().ToString();
        var contentType = metadata.GetValueOrDefault("Content-Type")?.Trim();

        var unquoted = Unquote(data);
        byte[] content;
        if (Flag(metadata, "decodeBase64", decodeBase64))
        {
            try
            {
                content = Convert.FromBase64String(Encoding.ASCII.GetString(unquoted));
            }
            catch (FormatException)
            {
                throw new BindingException("s3 binding error: uploading failed: illegal base64 data");
            }
        }
        else
        {
            content = unquoted;
        }

        var versionId = await Wrap("uploading failed", () => Backend.PutAsync(key, content, string.IsNullOrEmpty(contentType) ? null : contentType, ct));
        var location = $"{Backend.Endpoint.ToString().TrimEnd('/')}/{Backend.Bucket}/{key}";
        var response = new JsonObject { ["location"] = location, ["versionID"] = versionId };
        return (Encoding.UTF8.GetBytes(response.ToJsonString()), new Dictionary<string, string> { ["key"] = key });
    }

    private async Task<(byte[], IDictionary<string, string>)> GetAsync(IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var key = RequiredKey(metadata);
        var bytes = await Wrap("error downloading S3 object", () => Backend.GetAsync(key, ct)) ?? throw new BindingException("object not found");
        var data = Flag(metadata, "encodeBase64", encodeBase64) ? Encoding.ASCII.GetBytes(Convert.ToBase64String(bytes)) : bytes;
        return (data, new Dictionary<string, string>());
    }

    private async Task<(byte[], IDictionary<string, string>)> DeleteAsync(IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var key = RequiredKey(metadata);
        await Wrap("delete operation failed", async () => { await Backend.DeleteAsync(key, ct); return true; });
        return ([], new Dictionary<string, string>());
    }

    private async Task<(byte[], IDictionary<string, string>)> ListAsync(byte[] data, CancellationToken ct)
    {
        string prefix = "", marker = "", delimiter = "";
        var maxResults = 0;
        if (data.Length > 0)
        {
            try
            {
                var payload = JsonNode.Parse(data)?.AsObject() ?? throw new JsonException("null payload");
                prefix = (string?)payload["prefix"] ?? "";
                marker = (string?)payload["marker"] ?? "";
                delimiter = (string?)payload["delimiter"] ?? "";
                maxResults = (int?)payload["maxResults"] ?? 0;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                throw new BindingException($"s3 binding (List Operation) - unable to parse Data property - {e.Message}");
            }
        }
        if (maxResults < 1) maxResults = 1000;

        var page = await Wrap("list operation failed", () => Backend.ListAsync(prefix, marker, maxResults, delimiter, ct));
        // The Go SDK's ListObjectsOutput as encoding/json writes it: Go field names, nil slices as null.
        var contents = page.Objects.Count == 0 ? null : new JsonArray(page.Objects.Select(o => (JsonNode)new JsonObject
        {
            ["ChecksumAlgorithm"] = null,
            ["ChecksumType"] = "",
            ["ETag"] = o.ETag,
            ["Key"] = o.Key,
            ["LastModified"] = o.LastModified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["Owner"] = null,
            ["RestoreStatus"] = null,
            ["Size"] = o.Size,
            ["StorageClass"] = "STANDARD",
        }).ToArray());
        var prefixes = page.CommonPrefixes.Count == 0 ? null
            : new JsonArray(page.CommonPrefixes.Select(p => (JsonNode)new JsonObject { ["Prefix"] = p }).ToArray());
        var result = new JsonObject
        {
            ["CommonPrefixes"] = prefixes,
            ["Contents"] = contents,
            ["Delimiter"] = delimiter,
            ["EncodingType"] = "",
            ["IsTruncated"] = page.IsTruncated,
            ["Marker"] = marker,
            ["MaxKeys"] = maxResults,
            ["Name"] = Backend.Bucket,
            ["NextMarker"] = page.NextMarker,
            ["Prefix"] = prefix,
            ["RequestCharged"] = "",
            ["ResultMetadata"] = new JsonObject(),
        };
        return (Encoding.UTF8.GetBytes(result.ToJsonString()), new Dictionary<string, string>());
    }

    /// <summary>A failure of the bucket itself (RGW down, refused, 5xx), worded as s3.go wraps the SDK's error.</summary>
    private static async Task<T> Wrap<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not (BindingException or OperationCanceledException))
        {
            throw new BindingException($"s3 binding error: {what}: {e.Message}");
        }
    }

    private static string RequiredKey(IReadOnlyDictionary<string, string> metadata)
    {
        var key = metadata.GetValueOrDefault("key");
        return string.IsNullOrEmpty(key) ? throw new BindingException("s3 binding error: required metadata 'key' missing") : key;
    }

    /// <summary>Request metadata overrides the component's value when present and non-empty (kit IsTruthy).</summary>
    private static bool Flag(IReadOnlyDictionary<string, string> metadata, string name, bool componentValue) =>
        metadata.TryGetValue(name, out var v) && v.Length > 0
            ? KitStrings.IsTruthy(v)
            : componentValue;

    /// <summary>
    /// components-contrib common/utils/utils.go Unquote: json.Unmarshal the data into any; a string yields its
    /// contents, a number, bool or null yields Go's cast.ToString of it (null → ""), anything else (an object, an
    /// array, or invalid JSON such as binary data) is kept byte for byte: Go strings hold raw bytes, nothing is
    /// re-encoded.
    /// </summary>
    public static byte[] Unquote(byte[] data)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return data;
        }
        if (node is null) return [];
        if (node is not JsonValue value) return data;
        return value.GetValueKind() switch
        {
            JsonValueKind.String => Encoding.UTF8.GetBytes(value.GetValue<string>()),
            JsonValueKind.True => "true"u8.ToArray(),
            JsonValueKind.False => "false"u8.ToArray(),
            JsonValueKind.Number => Encoding.UTF8.GetBytes(value.GetValue<double>().ToString("R", CultureInfo.InvariantCulture)),
            _ => data,
        };
    }
}

/// <summary>A binding failure, with the component's message (daprd reports it as gRPC Internal).</summary>
public sealed class BindingException(string message) : Exception(message);
