using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using DaprVideo.Core.Ports;
using Polly;
using Polly.Retry;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// <see cref="IObjectStore"/> over Dapr's <c>bindings.aws.s3</c> output binding (Ceph RGW in production).
/// </summary>
/// <remarks>
/// What the binding does (dapr/components-contrib bindings/aws/s3/s3.go, read for this adapter):
/// <list type="bullet">
/// <item><c>create</c>: the object key is request metadata <c>key</c> (a random UUID when absent, so we always
/// send it). The request data is first passed through <c>Unquote</c> (components-contrib common/utils/utils.go):
/// bytes that parse as a JSON scalar (string, number, bool, null) are replaced by Go's string form of it; anything
/// else, invalid JSON or a JSON object or array, is kept byte for byte. Then, when <c>decodeBase64</c> is truthy
/// (request metadata overrides the component's), the text is decoded as standard padded base64. So we send the
/// bytes as they are (<c>decodeBase64=false</c>) unless they are a JSON scalar, and only then as a JSON-quoted
/// base64 string with <c>decodeBase64=true</c>. Segments (MPEG-TS starts with 0x47) and records (JSON objects)
/// go raw: a third smaller on the wire than base64, which matters against daprd's body limit.
/// Metadata <c>Content-Type</c> becomes the object's content type. Response data
/// <c>{"location":"…","versionID":null|"…"}</c>, response metadata <c>key</c>. Uploads go through the S3
/// transfer manager, so a reader sees the old or the new object, never a torn one.</item>
/// <item><c>get</c>: metadata <c>key</c> is required. Response data is the raw object bytes, or their base64
/// text when <c>encodeBase64</c> is truthy; we send <c>encodeBase64=false</c> so a component-level default
/// cannot change what we read (gRPC carries bytes as they are). A missing key fails the call with the
/// error text <c>object not found</c> (NoSuchKey mapped by the binding), which daprd returns as gRPC
/// <c>Internal</c> "error invoking output binding {name}: object not found".</item>
/// <item><c>delete</c>: metadata <c>key</c> required; S3 DeleteObject, which succeeds for a missing key
/// (a NoSuchKey would also be reported as <c>object not found</c>, treated here as already deleted).
/// Response has no data.</item>
/// <item><c>list</c>: request data JSON <c>{"prefix","marker","maxResults","delimiter"}</c> (maxResults &lt; 1
/// means 1000); it runs S3 ListObjects (v1) and returns the Go SDK's <c>ListObjectsOutput</c> marshalled
/// with its Go field names: <c>{"Contents":[{"Key","Size","ETag","LastModified",…}]|null,"IsTruncated",
/// "Marker","NextMarker","Prefix","MaxKeys","Name","CommonPrefixes",…}</c>. S3 returns <c>NextMarker</c>
/// only when a delimiter was given, so the next page's marker is NextMarker or else the last key.</item>
/// <item>daprd runs every call through the component's outbound Resiliency policy (dapr
/// pkg/runtime/processor/binding/send.go): a miss is an error there, so a retry or circuit breaker on the
/// binding would retry every normal miss and count it toward opening. The policy for <c>objectstore</c> therefore
/// has only a timeout, and this adapter retries what is transient (<see cref="ObjectStoreFailure"/>): it is
/// the only place that can tell a miss from a failure.</item>
/// <item>Component metadata: <c>bucket, region, endpoint, accessKey, secretKey, forcePathStyle</c> (true for
/// Ceph), <c>decodeBase64, encodeBase64, disableSSL, insecureSSL</c>. The bucket is fixed per component.</item>
/// </list>
/// </remarks>
public sealed class DaprObjectStore : IObjectStore
{
    public const string CreateOperation = "create";
    public const string GetOperation = "get";
    public const string DeleteOperation = "delete";
    public const string ListOperation = "list";
    public const string KeyMetadata = "key";
    public const string ContentTypeMetadata = "Content-Type";
    public const string DecodeBase64Metadata = "decodeBase64";
    public const string EncodeBase64Metadata = "encodeBase64";

    /// <summary>S3's own maximum page; the binding's default too.</summary>
    public const int DefaultListPageSize = 1000;

    private readonly DaprClient _client;
    private readonly string _binding;
    private readonly int _pageSize;
    private readonly ResiliencePipeline _retry;

    public DaprObjectStore(DaprClient client, DaprOptions options) : this(client, options, DefaultListPageSize)
    {
    }

    /// <summary>With a smaller list page (tests page through a few keys instead of thousands) or another clock.</summary>
    public DaprObjectStore(DaprClient client, DaprOptions options, int listPageSize, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(listPageSize, 1);
        _client = client;
        _binding = options.ObjectStoreBinding;
        _pageSize = listPageSize;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ObjectStoreFailure.IsTransient),
                MaxRetryAttempts = options.ObjectStoreRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
            })
            .Build();
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var request = new BindingRequest(_binding, CreateOperation);
        request.Metadata[KeyMetadata] = key;
        request.Metadata[ContentTypeMetadata] = ObjectContentTypes.ForKey(key);
        if (IsJsonScalar(content.Span))
        {
            // Unquote would rewrite these bytes: send them as a JSON string of base64 instead (see the remarks).
            request.Data = Encoding.ASCII.GetBytes("\"" + Convert.ToBase64String(content.Span) + "\"");
            request.Metadata[DecodeBase64Metadata] = "true";
        }
        else
        {
            request.Data = content;
            request.Metadata[DecodeBase64Metadata] = "false";
        }
        await InvokeAsync(request, key, content.Length, cancellationToken);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var request = new BindingRequest(_binding, GetOperation);
        request.Metadata[KeyMetadata] = key;
        request.Metadata[EncodeBase64Metadata] = "false";
        try
        {
            var response = await _retry.ExecuteAsync(ct => new ValueTask<BindingResponse>(_client.InvokeBindingAsync(request, ct)), cancellationToken);
            return response.Data.ToArray();
        }
        catch (DaprException e) when (ObjectStoreFailure.IsNotFound(e))
        {
            return null;
        }
        catch (DaprException e)
        {
            throw ObjectStoreFailure.Describe(_binding, GetOperation, key, 0, e);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var request = new BindingRequest(_binding, DeleteOperation);
        request.Metadata[KeyMetadata] = key;
        try
        {
            await InvokeAsync(request, key, 0, cancellationToken);
        }
        catch (IOException e) when (e.InnerException is DaprException d && ObjectStoreFailure.IsNotFound(d))
        {
            // Already gone: deletes are idempotent, like the file store's.
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0) ValidateKey(prefix);

        var keys = new List<string>();
        var marker = "";
        while (true)
        {
            var query = new S3ListRequest(prefix, marker, _pageSize, "");
            var request = new BindingRequest(_binding, ListOperation)
            {
                Data = JsonSerializer.SerializeToUtf8Bytes(query, S3BindingJsonContext.Default.S3ListRequest),
            };
            var response = await InvokeAsync(request, prefix, 0, cancellationToken);

            var page = JsonSerializer.Deserialize(response.Data.Span, S3BindingJsonContext.Default.S3ListResult)
                ?? throw new InvalidDataException($"Binding '{_binding}' answered list with no result.");
            var pageKeys = page.Contents?.Select(c => c.Key).OfType<string>().ToList() ?? [];
            keys.AddRange(pageKeys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)));

            if (page.IsTruncated != true) break;
            var next = !string.IsNullOrEmpty(page.NextMarker) ? page.NextMarker : pageKeys.LastOrDefault();
            // A truncated page that gives no way forward would loop forever: fail loudly instead.
            if (string.IsNullOrEmpty(next) || string.CompareOrdinal(next, marker) <= 0)
                throw new InvalidDataException($"Binding '{_binding}' returned a truncated list without a usable marker.");
            marker = next;
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private async Task<BindingResponse> InvokeAsync(BindingRequest request, string key, int bytes, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(ct => new ValueTask<BindingResponse>(_client.InvokeBindingAsync(request, ct)), cancellationToken);
        }
        catch (DaprException e)
        {
            throw ObjectStoreFailure.Describe(_binding, request.Operation, key, bytes, e);
        }
    }

    /// <summary>True when Go's json.Unmarshal would read the whole content as a string, number, bool or null.</summary>
    private static bool IsJsonScalar(ReadOnlySpan<byte> content)
    {
        var trimmed = content.TrimStart(" \t\r\n"u8);
        // Objects and arrays are kept as is; anything not starting like a scalar is not JSON at all (MPEG-TS: 0x47).
        if (trimmed.IsEmpty || trimmed[0] is not ((byte)'"' or (byte)'-' or (>= (byte)'0' and <= (byte)'9') or (byte)'t' or (byte)'f' or (byte)'n'))
            return false;
        try
        {
            using var doc = JsonDocument.Parse(content.ToArray());
            return doc.RootElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Keys come from ObjectKeys; this guards against anything else reaching the bucket.</summary>
    private static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > 1024 || key[0] == '/' || key.Any(char.IsControl)
            || key.Split('/').Any(part => part is "." or ".."))
            throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
    }
}
