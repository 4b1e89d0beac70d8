using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using DaprVideo.ModelServer.Serving;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.Features;
using Tensorflow.Serving;

namespace DaprVideo.ModelServer.Rest;

/// <summary>
/// TF Serving's REST API: <c>GET /v1/models/{name}[/versions/{v}]</c> (status),
/// <c>GET .../metadata</c>, <c>POST .../{name}[/versions/{v}]:predict</c>. Errors are
/// <c>{"error": "..."}</c> with the HTTP status TF Serving maps each code to.
/// </summary>
public static partial class RestApi
{
    private static readonly JsonFormatter ProtoJson = new(
        JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    public static IEndpointRouteBuilder MapTfServingRestApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models/{**path}", HandleGetAsync);
        endpoints.MapPost("/v1/models/{**path}", HandlePostAsync);
        return endpoints;
    }

    private static async Task HandleGetAsync(HttpContext context, string? path, DetectionServable servable)
    {
        await RespondAsync(context, () =>
        {
            var m = GetPath().Match(path ?? "");
            if (!m.Success)
                throw ServingException.InvalidArgument($"Malformed request: GET /v1/models/{path}");
            var name = m.Groups["name"].Value;
            long? version = m.Groups["version"].Success ? long.Parse(m.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
            if (m.Groups["metadata"].Success)
            {
                var request = new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = name, VersionLabel = m.Groups["label"].Value } };
                if (version is { } v) request.ModelSpec.Version = v;
                request.MetadataField.Add("signature_def");
                var metadata = servable.Metadata(request);
                // TF Serving prints the SignatureDefMap itself under "signature_def", not as an Any.
                var json = $"{{\"model_spec\":{ProtoJson.Format(metadata.ModelSpec)},\"metadata\":{{\"signature_def\":{ProtoJson.Format(servable.Signatures())}}}}}";
                return Task.FromResult(json);
            }
            if (m.Groups["label"].Success)
                throw ServingException.InvalidArgument($"Unrecognized servable version label: {m.Groups["label"].Value}");
            var spec = new ModelSpec { Name = name };
            if (version is { } ver) spec.Version = ver;
            return Task.FromResult(ProtoJson.Format(servable.Status(spec)));
        }).ConfigureAwait(false);
    }

    private static async Task HandlePostAsync(HttpContext context, string? path, DetectionServable servable, ModelServerOptions options)
    {
        await RespondAsync(context, async () =>
        {
            var m = PostPath().Match(path ?? "");
            if (!m.Success)
                throw ServingException.InvalidArgument($"Malformed request: POST /v1/models/{path}");
            if (m.Groups["verb"].Value != "predict")
                throw ServingException.InvalidArgument(
                    $"Expected {m.Groups["verb"].Value} signature method_name; this model serves predict only");
            long? version = m.Groups["version"].Success ? long.Parse(m.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
            var label = m.Groups["label"].Success ? m.Groups["label"].Value : null;

            var body = await ReadBodyAsync(context, options.MaxRequestBytes).ConfigureAwait(false);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            }
            catch (JsonException ex)
            {
                throw ServingException.InvalidArgument($"JSON Parse error: {ex.Message}", ex);
            }
            using (document)
            {
                var request = RestPredictRequest.Parse(document.RootElement);
                servable.Resolve(m.Groups["name"].Value, version, label, request.SignatureName);
                var frames = ImageInputDecoder.FromJson(request.Images, options.MaxDecodedBytes);
                var outputs = await servable.PredictAsync(frames, context.RequestAborted).ConfigureAwait(false);
                return request.RowFormat ? RestPredictResponse.Rows(outputs) : RestPredictResponse.Columns(outputs);
            }
        }).ConfigureAwait(false);
    }

    private static async Task RespondAsync(HttpContext context, Func<Task<string>> handle)
    {
        string json;
        try
        {
            json = await handle().ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        catch (ServingException ex)
        {
            context.Response.StatusCode = ex.HttpStatus;
            json = ErrorJson(ex.Message);
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    internal static string ErrorJson(string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps quotes and apostrophes readable (\" rather than \u0022), as TF Serving prints them.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
            throw ServingException.InvalidArgument($"Request body of {context.Request.ContentLength} bytes exceeds the {limit}-byte limit.");
        // Kestrel enforces the same limit on chunked bodies; keep ours in step.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        using var buffer = new MemoryStream();
        try
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            throw ServingException.InvalidArgument($"Request body rejected: {ex.Message}", ex);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    // name, optional /versions/N or /labels/L, optional /metadata
    [GeneratedRegex(@"^(?<name>[^/:]+)(/versions/(?<version>\d{1,18})|/labels/(?<label>[^/:]+))?(?<metadata>/metadata)?$")]
    private static partial Regex GetPath();

    [GeneratedRegex(@"^(?<name>[^/:]+)(/versions/(?<version>\d{1,18})|/labels/(?<label>[^/:]+))?:(?<verb>predict|classify|regress)$")]
    private static partial Regex PostPath();
}
