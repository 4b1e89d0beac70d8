using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using DaprVideo.Core.Ports;
using Grpc.Core;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// <see cref="IObjectStore"/> over Dapr's <c>bindings.aws.s3</c> output binding (Ceph RGW in production).
/// </summary>
/// <remarks>
/// What the binding does (dapr/components-contrib bindings/aws/s3/s3.go, read for this adapter):
/// <list type="bullet">
/// <item><c>create</c>: the object key is request metadata <c>key</c> (a random UUID when absent, so we always
/// send it). The request data is first passed through <c>Unquote</c>: if the bytes parse as a JSON string the
/// string's contents are used; a JSON number/bool/null is turned into its Go string form (null → ""); anything
/// else is kept as is. Then, when <c>decodeBase64</c> is truthy (request metadata overrides the component's),
/// the text is decoded as standard padded base64. We therefore send the bytes as a JSON-quoted base64 string
/// with <c>decodeBase64=true</c>: the only form that round-trips every byte sequence (raw bytes that happen
/// to be a JSON number or string would be rewritten). Metadata <c>Content-Type</c> becomes the object's
/// content type. Response data <c>{"location":"…","versionID":null|"…"}</c>, response metadata <c>key</c>.
/// Uploads go through the S3 transfer manager, so a reader sees the old or the new object, never a torn one.</item>
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

    /// <summary>The binding's message for a missing object (components-contrib since late 2023).</summary>
    private const string ObjectNotFound = "object not found";

    /// <summary>S3's own maximum page; the binding's default too.</summary>
    public const int DefaultListPageSize = 1000;

    private readonly DaprClient _client;
    private readonly string _binding;
    private readonly int _pageSize;

    public DaprObjectStore(DaprClient client, DaprOptions options) : this(client, options, DefaultListPageSize)
    {
    }

    /// <summary>With a smaller list page (tests page through a few keys instead of thousands).</summary>
    public DaprObjectStore(DaprClient client, DaprOptions options, int listPageSize)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(listPageSize, 1);
        _client = client;
        _binding = options.ObjectStoreBinding;
        _pageSize = listPageSize;
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        // A JSON string of base64: see the remarks for why this is the only faithful encoding.
        var body = Encoding.ASCII.GetBytes("\"" + Convert.ToBase64String(content.Span) + "\"");
        var request = new BindingRequest(_binding, CreateOperation) { Data = body };
        request.Metadata[KeyMetadata] = key;
        request.Metadata[DecodeBase64Metadata] = "true";
        request.Metadata[ContentTypeMetadata] = ObjectContentTypes.ForKey(key);
        await InvokeAsync(request, key, cancellationToken);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var request = new BindingRequest(_binding, GetOperation);
        request.Metadata[KeyMetadata] = key;
        request.Metadata[EncodeBase64Metadata] = "false";
        try
        {
            var response = await _client.InvokeBindingAsync(request, cancellationToken);
            return response.Data.ToArray();
        }
        catch (DaprException e) when (IsNotFound(e))
        {
            return null;
        }
        catch (DaprException e)
        {
            throw Failure(GetOperation, key, e);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var request = new BindingRequest(_binding, DeleteOperation);
        request.Metadata[KeyMetadata] = key;
        try
        {
            await _client.InvokeBindingAsync(request, cancellationToken);
        }
        catch (DaprException e) when (IsNotFound(e))
        {
            // Already gone: deletes are idempotent, like the file store's.
        }
        catch (DaprException e)
        {
            throw Failure(DeleteOperation, key, e);
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
            BindingResponse response;
            try
            {
                response = await _client.InvokeBindingAsync(request, cancellationToken);
            }
            catch (DaprException e)
            {
                throw Failure(ListOperation, prefix, e);
            }

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

    private async Task InvokeAsync(BindingRequest request, string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.InvokeBindingAsync(request, cancellationToken);
        }
        catch (DaprException e)
        {
            throw Failure(request.Operation, key, e);
        }
    }

    private IOException Failure(string operation, string key, DaprException e)
    {
        var detail = e.InnerException is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
        return new IOException($"Object store '{_binding}' {operation} '{key}' failed: {detail}", e);
    }

    private static bool IsNotFound(DaprException e) =>
        e.InnerException is RpcException rpc
        && (rpc.Status.Detail.Contains(ObjectNotFound, StringComparison.OrdinalIgnoreCase)
            // Bindings before the mapping reported the raw S3 code.
            || rpc.Status.Detail.Contains("NoSuchKey", StringComparison.Ordinal));

    /// <summary>Keys come from ObjectKeys; this guards against anything else reaching the bucket.</summary>
    private static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > 1024 || key[0] == '/' || key.Any(char.IsControl)
            || key.Split('/').Any(part => part is "." or ".."))
            throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
    }
}
