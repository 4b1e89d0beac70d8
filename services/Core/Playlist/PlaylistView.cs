namespace DaprVideo.Core.Playlist;

/// <summary>The three renderings of one stream's segment list.</summary>
public enum PlaylistView
{
    /// <summary>Finished recording: PLAYLIST-TYPE:VOD, always ENDLIST.</summary>
    Vod,

    /// <summary>Everything so far (<c>index.m3u8</c>): PLAYLIST-TYPE:EVENT, ENDLIST once the stream has ended.</summary>
    Event,

    /// <summary>Sliding window near the live edge (<c>live.m3u8</c>): no PLAYLIST-TYPE, ENDLIST once ended.</summary>
    Live,
}
