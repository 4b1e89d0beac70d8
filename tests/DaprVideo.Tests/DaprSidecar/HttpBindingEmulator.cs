using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// The stand-in's <c>bindings.http</c> output binding, after components-contrib bindings/http/http.go (read at
/// /work/.mirror/dapr+components-contrib, commit c23900d):
/// <list type="bullet">
/// <item>Operations <c>create</c> (= POST, "for backward compatibility"), get, head, post, put, patch, delete, options,
/// trace; daprd refuses any other with "binding NAME does not support operation OP. supported operations:..."
/// (dapr pkg/runtime/processor/binding/send.go).</item>
/// <item>Component metadata: <c>url</c>; <c>responseTimeout</c> (kit DecodeMetadata: a Go duration, else whole seconds;
/// unset: no timeout, only daprd's policy and the caller's deadline); <c>errorIfNot2XX</c> (default true);
/// <c>securityToken</c> + <c>securityTokenHeader</c> (a header set on every request); <c>maxResponseBodySize</c>
/// (default 100 MiB, the body is cut there). A dialer timeout of 15 s.</item>
/// <item>Request metadata: <c>path</c> is appended to the url (<c>TrimRight(url,"/") + "/" + TrimLeft(path,"/")</c>);
/// <c>errorIfNot2XX</c> overrides the component's; every key starting with an ASCII capital letter is a request header;
/// <c>traceparent</c>/<c>tracestate</c>/<c>baggage</c> are sent as headers. A body (PUT, POST, PATCH) gets
/// <c>Content-Type: application/json; charset=utf-8</c> unless the metadata names one; <c>Accept</c> likewise.</item>
/// <item>Response: the body (empty for 204) and metadata <c>statusCode</c>, <c>status</c> ("500 Internal Server Error")
/// and each response header (several values joined with ", "). A status outside 2xx is the error
/// "received status code N" while <c>errorIfNot2XX</c> holds; a transport failure is Go's
/// <c>Post "URL": ...</c> with the URL's password removed (net/http client.go stripPassword).</item>
/// </list>
/// Not modelled: mTLS metadata (mtlsRootCA, mtlsClientCert/Key, renegotiation), HTTP proxies from the environment,
/// daprd returning the response metadata as gRPC headers alongside an error.
/// </summary>
public sealed class HttpBindingEmulator : IOutputBinding, IDisposable
{
    public static readonly IReadOnlyList<string> SupportedOperations = ["create", "get", "head", "post", "put", "patch", "delete", "options", "trace"];

    private const long DefaultMaxResponseBodyBytes = 100L << 20;

    private readonly string _name;
    private readonly string _url;
    private readonly TimeSpan? _responseTimeout;
    private readonly bool _errorIfNot2XX;
    private readonly string? _securityToken;
    private readonly string? _securityTokenHeader;
    private readonly long _maxResponseBodyBytes;
    private readonly HttpClient _client;
    private readonly List<string> _operations = [];

    public HttpBindingEmulator(string name, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        _name = name;
        string? Get(string key) => metadata.FirstOrDefault(kv => kv.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value;
        _url = Get("url") ?? "";
        if (Get("responseTimeout") is { Length: > 0 } timeout) _responseTimeout = KitDuration(timeout, "responseTimeout");
        _errorIfNot2XX = Get("errorIfNot2XX") is not { Length: > 0 } e || KitStrings.IsTruthy(e);
        _securityToken = Get("securityToken");
        _securityTokenHeader = Get("securityTokenHeader");
        _maxResponseBodyBytes = Get("maxResponseBodySize") is { Length: > 0 } max
            ? long.TryParse(max, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                : throw new InvalidDataException($"invalid value for maxResponseBodySize: {max}")
            : DefaultMaxResponseBodyBytes;
        if (Get("mtlsRootCA") is { Length: > 0 } || Get("mtlsClientCert") is { Length: > 0 })
            throw new InvalidDataException($"{name}: the stand-in's bindings.http does not model mTLS");
        // Go: Client.Timeout 0 (request contexts instead), dialer 15 s, redirects followed.
        _client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15), UseProxy = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Every operation invoked, in order (test hook).</summary>
    public IReadOnlyList<string> Operations { get { lock (_operations) return [.. _operations]; } }

    public async Task<(byte[] Data, IDictionary<string, string> Metadata)> InvokeAsync(
        string operation, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!SupportedOperations.Contains(operation, StringComparer.Ordinal))
            throw new BindingException($"binding {_name} does not support operation {operation}. supported operations:{string.Join(' ', SupportedOperations)}");
        lock (_operations) _operations.Add(operation);

        var url = _url;
        if (metadata.GetValueOrDefault("path") is { Length: > 0 } path)
            url = url.TrimEnd('/') + "/" + path.TrimStart('/');
        var errorIfNot2XX = metadata.GetValueOrDefault("errorIfNot2XX") is { Length: > 0 } flag ? KitStrings.IsTruthy(flag) : _errorIfNot2XX;
        var method = operation.Equals("create", StringComparison.OrdinalIgnoreCase) ? "POST" : operation.ToUpperInvariant();
        var hasBody = method is "PUT" or "POST" or "PATCH";

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new BindingException($"{Capitalised(method)} \"{Shown(url)}\": unsupported protocol scheme \"{(uri?.Scheme ?? "")}\"");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_responseTimeout is { } t) timeout.CancelAfter(t);
        using var request = new HttpRequestMessage(new HttpMethod(method), uri);
        if (hasBody)
        {
            request.Content = new ByteArrayContent(data);
            if (!metadata.ContainsKey("Content-Type")) request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        }
        if (!metadata.ContainsKey("Accept")) request.Headers.TryAddWithoutValidation("Accept", "application/json; charset=utf-8");
        if (!string.IsNullOrEmpty(_securityToken) && !string.IsNullOrEmpty(_securityTokenHeader)) SetHeader(request, _securityTokenHeader, _securityToken);
        foreach (var (key, value) in metadata)
            if (key.Length > 0 && key[0] is >= 'A' and <= 'Z') SetHeader(request, key, value);
        foreach (var trace in new[] { "traceparent", "tracestate", "baggage" })
            if (metadata.GetValueOrDefault(trace) is { Length: > 0 } v) SetHeader(request, trace, v);

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? "context deadline exceeded" : e.Message;
            throw new BindingException($"{Capitalised(method)} \"{Shown(url)}\": {reason}");
        }
        using (response)
        {
            byte[] body;
            try
            {
                body = await ReadLimitedAsync(response.Content, _maxResponseBodyBytes, timeout.Token);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new BindingException(e is OperationCanceledException ? "context deadline exceeded" : e.Message);
            }
            var code = (int)response.StatusCode;
            var result = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["statusCode"] = code.ToString(CultureInfo.InvariantCulture),
                ["status"] = $"{code.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}".TrimEnd(),
            };
            foreach (var (key, values) in response.Headers.Concat(response.Content.Headers))
                result[key] = string.Join(", ", values);
            if (errorIfNot2XX && code / 100 != 2)
                throw new BindingException($"received status code {code.ToString(CultureInfo.InvariantCulture)}");
            return (body, result);
        }
    }

    private static void SetHeader(HttpRequestMessage request, string name, string value)
    {
        // Go's Header.Set replaces; content headers live on the content in .NET.
        if (IsContentHeader(name))
        {
            if (request.Content is null) return; // Go would send it on a bodiless request; nothing here reads it
            request.Content.Headers.Remove(name);
            request.Content.Headers.TryAddWithoutValidation(name, value);
            return;
        }
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }

    private static bool IsContentHeader(string name) =>
        name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) || name.Equals("Expires", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Last-Modified", StringComparison.OrdinalIgnoreCase) || name.Equals("Allow", StringComparison.OrdinalIgnoreCase);

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, long limit, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (limit <= 0 || buffer.Length < limit)
        {
            var want = limit <= 0 ? chunk.Length : (int)Math.Min(chunk.Length, limit - buffer.Length);
            var n = await stream.ReadAsync(chunk.AsMemory(0, want), ct);
            if (n == 0) break;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    /// <summary>Go's url.Error Op: "Post", "Get" ...</summary>
    private static string Capitalised(string method) => method[0] + method[1..].ToLowerInvariant();

    /// <summary>net/http stripPassword: the userinfo's password becomes "***".</summary>
    private static string Shown(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.UserInfo.Contains(':', StringComparison.Ordinal)) return url;
        var user = uri.UserInfo[..uri.UserInfo.IndexOf(':', StringComparison.Ordinal)];
        return url.Replace(uri.UserInfo + "@", user + ":***@", StringComparison.Ordinal);
    }

    /// <summary>kit metadata's duration hook: Go's time.ParseDuration, else whole seconds.</summary>
    private static TimeSpan KitDuration(string text, string key)
    {
        if (GoDuration.TryParse(text, out var d)) return d;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
        throw new InvalidDataException($"decoding '{key}': time: invalid duration \"{text}\"");
    }

    public void Dispose() => _client.Dispose();
}
