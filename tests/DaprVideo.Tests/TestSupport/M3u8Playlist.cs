namespace DaprVideo.Tests.TestSupport;

/// <summary>A parsed media playlist, as <see cref="M3u8Parser"/> understood it.</summary>
public sealed class M3u8Playlist
{
    public int Version { get; set; } = 1;
    public int TargetDuration { get; set; }
    public long MediaSequence { get; set; }
    public long DiscontinuitySequence { get; set; }
    public bool HasDiscontinuitySequence { get; set; }
    public string? PlaylistType { get; set; }
    public bool IndependentSegments { get; set; }
    public bool EndList { get; set; }

    /// <summary>EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES: the server holds <c>_HLS_msn</c> reloads.</summary>
    public bool CanBlockReload { get; set; }
    public List<M3u8Segment> Segments { get; } = [];

    public double TotalDuration => Segments.Sum(s => s.Duration);
}

/// <summary>One media segment with the numbers RFC 8216 assigns to it.</summary>
public sealed record M3u8Segment(
    long MediaSequenceNumber,
    long DiscontinuitySequenceNumber,
    string Uri,
    double Duration,
    string DurationText,
    DateTimeOffset? ProgramDateTime,
    bool Discontinuity);
