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

    /// <summary>503 with a Retry-After header (whole seconds, default 5): the service cannot take this now, later it may.</summary>
    public static IResult Unavailable(string detail, TimeSpan? retryAfter = null) =>
        new RetryAfterResult(Results.Problem(title: "Service unavailable", detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable),
            (long)Math.Max(1, Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(5)).TotalSeconds)));

    /// <summary>503 with Retry-After while the host stops (SIGTERM, Ctrl+C): it takes no new work.</summary>
    public static IResult Stopping() =>
        new RetryAfterResult(Results.Problem(title: "Stopping",
            detail: "DaprVideo is stopping and takes no new work; try again once it is back.", statusCode: StatusCodes.Status503ServiceUnavailable), 10);

    private sealed class RetryAfterResult(IResult inner, long seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
