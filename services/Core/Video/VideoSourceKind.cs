namespace DaprVideo.Core.Video;

/// <summary>The kinds of source ingest accepts; every other scheme is refused.</summary>
public enum VideoSourceKind
{
    /// <summary>An absolute local path; the adapter decides which directories are allowed.</summary>
    File,

    /// <summary>An http or https URL (progressive file or HLS playlist).</summary>
    Http,

    /// <summary>An rtsp or rtsps camera URL.</summary>
    Rtsp,

    /// <summary>ffmpeg's lavfi <c>testsrc</c> pattern.</summary>
    TestPattern,
}
