namespace DaprVideo.Media.Capture;

/// <summary>Whether ingest copies the source's H.264 or encodes it once.</summary>
public enum TranscodeMode
{
    /// <summary>Copy when the source is H.264 with a keyframe at least every segment; encode otherwise.</summary>
    Auto,

    /// <summary>Always encode with libx264 and forced keyframes.</summary>
    Always,

    /// <summary>Always copy (the caller knows the source is suitable H.264).</summary>
    Never,
}
