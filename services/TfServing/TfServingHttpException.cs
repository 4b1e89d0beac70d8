using System.Net;

namespace DaprVideo.TfServing;

/// <summary>A TF Serving REST call answered with an error status (body <c>{"error": "..."}</c>).</summary>
public sealed class TfServingHttpException : Exception
{
    public TfServingHttpException()
    {
    }

    public TfServingHttpException(string message)
        : base(message)
    {
    }

    public TfServingHttpException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public TfServingHttpException(HttpStatusCode statusCode, string error)
        : base($"HTTP {(int)statusCode}: {error}")
    {
        StatusCode = statusCode;
    }

    public HttpStatusCode StatusCode { get; }
}
