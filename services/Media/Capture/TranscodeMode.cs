namespace DaprVideo.Media.Capture;

/// <summary>Whether ingest stream-copies the source into chunks or encodes it once with libx264.</summary>
public enum TranscodeMode
{
    /// <summary>
    /// Copy when <see cref="StreamCopy.Suits"/>: H.264, HEVC, MPEG-4 Part 2 or MPEG-1/2 with closed GOPs and
    /// keyframes at most 2 × the segment length apart (at least 3 s) and no rotation; encode otherwise.
    /// </summary>
    Auto,

    /// <summary>Always encode with libx264 and forced keyframes.</summary>
    Always,

    /// <summary>Always copy (the caller knows the source suits chunking as it is).</summary>
    Never,
}
