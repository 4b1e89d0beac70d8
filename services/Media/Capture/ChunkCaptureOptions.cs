using DaprVideo.Media.Codec;
using DaprVideo.Media.Ffmpeg;

namespace DaprVideo.Media.Capture;

/// <summary>How <see cref="ChunkCapture"/> cuts a source; validated when the capture is created.</summary>
public sealed record ChunkCaptureOptions
{
    /// <summary>Target chunk length (SEGMENT_SECONDS); chunks cut at the first keyframe after it.</summary>
    public double SegmentSeconds { get; init; } = 3;

    public TranscodeMode Transcode { get; init; } = TranscodeMode.Auto;

    /// <summary>x264 preset used when encoding is needed.</summary>
    public string Preset { get; init; } = X264Presets.Default;

    /// <summary>Read files and finite test patterns at their native rate (<c>-re</c>), as if they were live.</summary>
    public bool SimulateLive { get; init; }

    /// <summary>
    /// Treat the source as live (reconnect when ffmpeg stops). Null decides from the source:
    /// rtsp and endless testsrc are live, http is live when it has no known duration.
    /// </summary>
    public bool? Live { get; init; }

    /// <summary>Sequence number of the first chunk (resume after a restart).</summary>
    public long FirstSequence { get; init; }

    /// <summary>
    /// Where in a finite source to begin (input seek, <c>-ss</c>): a restarted Ingest continues a recorded
    /// source near where it stopped. Ignored for live sources, which have no position to return to.
    /// </summary>
    public double StartSeconds { get; init; }

    /// <summary>
    /// The wall-clock start of the first chunk, when not now: a resumed recording (not live) carries on its own timeline
    /// (its first run went faster than real time), so offsets and program date-times run on instead of going back.
    /// </summary>
    public DateTimeOffset? FirstChunkStart { get; init; }

    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed reconnects before giving up; null retries forever.</summary>
    public int? MaxReconnectAttempts { get; init; }

    /// <summary>
    /// Whether a live source that fails before its first chunk is retried. Off by default, so a
    /// wrong URL fails at once with ffmpeg's reason instead of retrying silently.
    /// </summary>
    public bool RetryBeforeFirstChunk { get; init; }

    /// <summary>Network read timeout; a silent source counts as a failure after this long (a trickle of bytes resets it: see <see cref="StallTimeout"/>).</summary>
    public double NetworkTimeoutSeconds { get; init; } = 15;

    /// <summary>
    /// A network or live source whose ffmpeg yields no chunk for this long beyond a chunk's own length (plus the
    /// probe's wait before the first) has stalled: the attempt is stopped and counts as failed (CAMERA_STALL_SECONDS).
    /// Null: only <see cref="NetworkTimeoutSeconds"/> applies.
    /// </summary>
    public TimeSpan? StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A live source that yields no chunk for this long, across its reconnects, ends the capture with a
    /// <see cref="MediaException"/> (CAMERA_GIVE_UP_SECONDS). Null retries until cancelled.
    /// </summary>
    public TimeSpan? GiveUpAfter { get; init; }

    /// <summary>How RTSP cameras are read; TCP unless a camera offers only UDP.</summary>
    public RtspTransport RtspTransport { get; init; } = RtspTransport.Tcp;

    public FfmpegTools Tools { get; init; } = FfmpegTools.Default;

    public void Validate()
    {
        if (!double.IsFinite(SegmentSeconds) || SegmentSeconds < 0.5 || SegmentSeconds > 60)
            throw new ArgumentException($"{nameof(SegmentSeconds)} {SegmentSeconds} is outside 0.5..60.");
        X264Presets.Validate(Preset, "Capture preset");
        if (!double.IsFinite(StartSeconds) || StartSeconds < 0) throw new ArgumentException("StartSeconds must be a non-negative number.");
        if (FirstSequence < 0) throw new ArgumentException("FirstSequence must not be negative.");
        if (ReconnectInitialDelay < TimeSpan.Zero || ReconnectMaxDelay < ReconnectInitialDelay)
            throw new ArgumentException("Reconnect delays must satisfy 0 <= initial <= max.");
        if (MaxReconnectAttempts is < 0) throw new ArgumentException("MaxReconnectAttempts must not be negative.");
        if (!double.IsFinite(NetworkTimeoutSeconds) || NetworkTimeoutSeconds <= 0)
            throw new ArgumentException("NetworkTimeoutSeconds must be positive.");
        if (StallTimeout is { } stall && stall <= TimeSpan.Zero) throw new ArgumentException("StallTimeout must be positive.");
        if (GiveUpAfter is { } giveUp && giveUp <= TimeSpan.Zero) throw new ArgumentException("GiveUpAfter must be positive.");
        ArgumentNullException.ThrowIfNull(Tools);
    }
}
