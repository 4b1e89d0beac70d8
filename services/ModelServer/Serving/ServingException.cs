using Grpc.Core;

namespace DaprVideo.ModelServer.Serving;

/// <summary>A request TF Serving would refuse, with the canonical code it would use.</summary>
public sealed class ServingException : Exception
{
    public ServingException()
    {
    }

    public ServingException(string message)
        : base(message)
    {
        Code = StatusCode.InvalidArgument;
    }

    public ServingException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = StatusCode.InvalidArgument;
    }

    public ServingException(StatusCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public StatusCode Code { get; }

    public static ServingException InvalidArgument(string message, Exception? inner = null) => new(StatusCode.InvalidArgument, message, inner);

    public static ServingException NotFound(string message) => new(StatusCode.NotFound, message);

    /// <summary>The HTTP status TF Serving's REST layer gives each code.</summary>
    public int HttpStatus => Code switch
    {
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => 400,
        StatusCode.NotFound => 404,
        StatusCode.ResourceExhausted => 429,
        StatusCode.Unimplemented => 501,
        StatusCode.Unavailable => 503,
        StatusCode.DeadlineExceeded => 504,
        _ => 500,
    };
}
