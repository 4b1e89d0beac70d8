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

    public void Validate() => Playlist.Validate();
}
