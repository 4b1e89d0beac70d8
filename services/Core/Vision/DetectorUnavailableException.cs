namespace DaprVideo.Core.Vision;

/// <summary>
/// The detector could not answer right now (remote model server down, circuit open, retries
/// exhausted, unusable reply). Not a bug: the pipeline keeps going and marks the segment
/// un-annotated; a later call may succeed once the server is back.
/// </summary>
public sealed class DetectorUnavailableException : Exception
{
    public DetectorUnavailableException()
        : this("The object detector is unavailable.")
    {
    }

    public DetectorUnavailableException(string message)
        : base(message)
    {
    }

    public DetectorUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
