using DaprVideo.Core.Playlist;

namespace DaprVideo.Core.Pipeline;

/// <summary>What the Playlist side writes for each stream.</summary>
public sealed record PlaylistBuilderOptions
{
    public PlaylistOptions Playlist { get; init; } = new();

    /// <summary>
    /// Batch mode (the <c>process</c> command): no live playlists while running, and index.m3u8 is
    /// written once, as a VOD playlist, when every segment is there. A failed run leaves no
    /// playlist that looks complete.
    /// </summary>
    public bool VodOnly { get; init; }

    /// <summary>
    /// The deployment's retention (RETENTION_MAX_AGE, RETENTION_MAX_BYTES); a stream's descriptor may override either
    /// limit. Off by default, and always off in <see cref="VodOnly"/> mode (a batch run keeps what it made).
    /// </summary>
    public RetentionPolicy Retention { get; init; } = RetentionPolicy.Off;

    public void Validate()
    {
        Playlist.Validate();
        ArgumentNullException.ThrowIfNull(Retention);
        Retention.Validate();
    }
}
