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
}
