namespace DaprVideo.Core.Playlist;

/// <summary>
/// How a rendered list begins. <see cref="MediaSequence"/> and <see cref="DiscontinuitySequence"/> are the numbers of
/// its first segment; <see cref="Trimmed"/> says retention removed segments before it (so a discontinuity on it is
/// shown: something preceded it). <see cref="Retained"/>: retention applies to the stream, so the full playlist is
/// a sliding window too and must not claim PLAYLIST-TYPE:EVENT (RFC 8216 §4.3.3.5: an EVENT playlist only grows).
/// </summary>
public sealed record PlaylistHead(long MediaSequence, long DiscontinuitySequence, bool Trimmed, bool Retained)
{
    /// <summary>A list that starts at its first segment ever, under no retention.</summary>
    public static PlaylistHead Start(IReadOnlyList<PlaylistSegment> segments) =>
        new(segments.Count > 0 ? segments[0].Sequence : 0, 0, false, false);
}
