using DaprVideo.Core.Streams;
using Microsoft.AspNetCore.Http;

namespace DaprVideo.ServiceDefaults;

/// <summary>RFC 7807 problem answers shared by the HTTP APIs.</summary>
public static class Problems
{
    public static IResult BadRequest(string detail) =>
        Results.Problem(title: "Bad request", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static IResult InvalidStreamId(string id) =>
        BadRequest($"Invalid stream id '{(id.Length > 80 ? id[..80] + "..." : id)}': it must match {StreamId.Pattern}.");

    public static IResult NotFound(string detail) =>
        Results.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static IResult Unauthorized(string detail) =>
        Results.Problem(title: "Unauthorized", detail: detail, statusCode: StatusCodes.Status401Unauthorized);

    public static IResult UnsupportedMediaType(string detail) =>
        Results.Problem(title: "Unsupported media type", detail: detail, statusCode: StatusCodes.Status415UnsupportedMediaType);

    public static IResult Conflict(string detail) =>
        Results.Problem(title: "Conflict", detail: detail, statusCode: StatusCodes.Status409Conflict);

    /// <summary>503 with Retry-After: a dependency (the secret store) cannot be reached right now.</summary>
    public static IResult Unavailable(string detail) =>
        new RetryAfter(Results.Problem(title: "Service unavailable", detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable), 5);

    /// <summary>503 with Retry-After while the host stops (SIGTERM, Ctrl+C): it takes no new work.</summary>
    public static IResult Stopping() =>
        new RetryAfter(Results.Problem(title: "Stopping",
            detail: "DaprVideo is stopping and takes no new work; try again once it is back.", statusCode: StatusCodes.Status503ServiceUnavailable), 10);

    private sealed class RetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
