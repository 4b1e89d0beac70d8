using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// Read-only routes as players and CDNs expect them: GET and HEAD (minimal APIs' MapGet answers GET only; HEAD gets
/// the GET's headers, Content-Length included, and no body: <see cref="HeadResult"/>), cross-origin reads by the
/// <see cref="CrossOriginPolicy"/> the host registered (none: same-origin only), and OPTIONS, which answers CORS
/// preflights.
/// </summary>
public static class ReadOnlyRoutes
{
    private static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];
    private static readonly string[] PreflightMethods = [HttpMethods.Options];

    /// <summary>Request headers a cross-origin player may send: range and conditional requests.</summary>
    private const string AllowedRequestHeaders = "Range, If-None-Match, If-Modified-Since, If-Range, Cache-Control";

    public static RouteHandlerBuilder MapReadOnly(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods(pattern, PreflightMethods, Preflight).ExcludeFromDescription();
        return endpoints.MapMethods(pattern, ReadMethods, handler).AddEndpointFilter(static async (context, next) =>
        {
            var http = context.HttpContext;
            Policy(http).Apply(http.Request, http.Response.Headers);
            var result = await next(context);
            return HttpMethods.IsHead(http.Request.Method) && result is IResult get ? new HeadResult(get) : result;
        });
    }

    private static CrossOriginPolicy Policy(HttpContext http) =>
        http.RequestServices.GetService<CrossOriginPolicy>() ?? CrossOriginPolicy.Off;

    /// <summary>
    /// 204 with Allow; for a preflight from an allowed origin asking for GET or HEAD also the Access-Control-Allow-*
    /// headers (anything else gets none, and the browser refuses the call, as the Fetch standard's CORS check says).
    /// </summary>
    private static IResult Preflight(HttpContext http)
    {
        var request = http.Request;
        var headers = http.Response.Headers;
        headers.Allow = "GET, HEAD, OPTIONS";
        var policy = Policy(http);
        if (policy.IsOn) headers.Append("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        var method = request.Headers.AccessControlRequestMethod.ToString();
        if (policy.AllowedOrigin(request.Headers.Origin) is { } allowed && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)))
        {
            headers.AccessControlAllowOrigin = allowed;
            headers.AccessControlAllowMethods = "GET, HEAD";
            headers.AccessControlAllowHeaders = AllowedRequestHeaders;
            headers.AccessControlMaxAge = "600";
        }
        return Results.NoContent();
    }
}
