using DaprVideo.ServiceDefaults;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// With APP_API_TOKEN set, only callers presenting it in <c>dapr-api-token</c> (daprd does) get through.
/// Health and metrics paths stay open for probes and scrapers, and so do the public paths a host names
/// (e.g. a viewer that browsers reach directly).
/// </summary>
public sealed partial class AppTokenMiddleware
{
    private readonly RequestDelegate _next;
    private readonly byte[] _expected;
    private readonly PathString[] _publicPaths;
    private readonly ILogger<AppTokenMiddleware> _logger;

    public AppTokenMiddleware(RequestDelegate next, string appApiToken, PathString[] publicPaths, ILogger<AppTokenMiddleware> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(appApiToken);
        _next = next;
        _expected = Encoding.UTF8.GetBytes(appApiToken);
        _publicPaths = publicPaths;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (ServiceDefaultsExtensions.IsInfrastructurePath(path) || _publicPaths.Any(p => path.StartsWithSegments(p)))
            return _next(context);

        var presented = context.Request.Headers[DaprOptions.ApiTokenHeader].ToString();
        // Constant-time compare: the token is a shared secret.
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected))
            return _next(context);

        LogRejected(_logger, context.Request.Method, path.Value ?? "", presented.Length == 0 ? "missing" : "wrong");
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {Method} {Path}: {Reason} dapr-api-token")]
    private static partial void LogRejected(ILogger logger, string method, string path, string reason);
}
