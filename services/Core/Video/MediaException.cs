namespace DaprVideo.Core.Video;

/// <summary>
/// A source or chunk ffmpeg could not handle (not video, empty, truncated, refused, unreachable).
/// The message is one line and ends with ffmpeg's own last words, so a user can act on it.
/// </summary>
public sealed class MediaException : Exception
{
    public MediaException(string message) : base(message) { }

    public MediaException(string message, Exception innerException) : base(message, innerException) { }

    public MediaException() { }
}
