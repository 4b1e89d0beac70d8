using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace DaprVideo.Playlist.Viewer;

/// <summary>Serves the viewer: the page at <c>/</c> (<c>/?stream={id}</c> plays one stream) and its files at <c>/viewer/{file}</c>.</summary>
public static class ViewerEndpoints
{
    // Same-origin only; blob: because hls.js feeds the video element through MediaSource and runs its demuxer in a blob worker.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; " +
        "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapViewer(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var assets = ViewerAssets.Instance;
        string[] methods = [HttpMethods.Get, HttpMethods.Head];

        endpoints.MapMethods("/", methods, (HttpContext context) =>
        {
            // The page itself is always revalidated (cheap 304) so a new build's asset versions are seen at once.
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            return Send(context, assets.Page, HeaderNames.CacheControl, "no-cache");
        }).ExcludeFromDescription();

        endpoints.MapMethods("/viewer/{file}", methods, (HttpContext context, string file) =>
        {
            if (!assets.Files.TryGetValue(file, out var asset))
                return Results.NotFound();
            // A URL carrying the current content hash never changes meaning: cache it for good.
            var versioned = context.Request.Query["v"] == asset.Version;
            return Send(context, asset, HeaderNames.CacheControl, versioned ? "public, max-age=31536000, immutable" : "no-cache");
        }).ExcludeFromDescription();

        return endpoints;
    }

    private static IResult Send(HttpContext context, ViewerAsset asset, string cacheHeader, string cacheValue)
    {
        var headers = context.Response.Headers;
        headers[cacheHeader] = cacheValue;
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (IfNoneMatch(context.Request, asset.ETag))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static bool IfNoneMatch(HttpRequest request, string etag)
    {
        foreach (var value in request.GetTypedHeaders().IfNoneMatch)
            if (value.Tag == "*" || value.Tag == etag) return true;
        return false;
    }
}
