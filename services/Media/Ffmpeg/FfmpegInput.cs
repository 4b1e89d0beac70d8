using System.Globalization;
using DaprVideo.Core.Video;

namespace DaprVideo.Media.Ffmpeg;

/// <summary>
/// The ffmpeg input arguments for a <see cref="VideoSource"/>: built from the validated source only, and each
/// kind runs with an explicit protocol whitelist so a playlist cannot lead ffmpeg to local files or other protocols.
/// </summary>
public static class FfmpegInput
{
    // What ffmpeg may open for each kind, enforced by ffmpeg itself (nested opens included).
    internal const string FileProtocols = "file";
    internal const string HttpProtocols = "http,https,tcp,tls,crypto";
    internal const string RtspProtocols = "rtsp,rtsps,rtp,srtp,udp,tcp,tls";

    /// <summary>
    /// ffmpeg input options and the input itself. <paramref name="realTime"/> adds <c>-re</c>
    /// (read at the native rate) for sources that would otherwise be read as fast as possible.
    /// </summary>
    public static IReadOnlyList<string> Arguments(VideoSource source, bool realTime, double? rwTimeoutSeconds = null)
    {
        var args = new List<string>();
        switch (source.Kind)
        {
            case VideoSourceKind.File:
                args.AddRange(["-protocol_whitelist", FileProtocols]);
                if (realTime) args.Add("-re");
                // The file: prefix stops ffmpeg from reading a protocol out of a path with a colon in it.
                args.AddRange(["-i", "file:" + source.Location]);
                break;
            case VideoSourceKind.Http:
                args.AddRange(["-protocol_whitelist", HttpProtocols]);
                if (rwTimeoutSeconds is { } http) args.AddRange(["-rw_timeout", Microseconds(http)]);
                args.AddRange(["-i", source.Location]);
                break;
            case VideoSourceKind.Rtsp:
                args.AddRange(["-protocol_whitelist", RtspProtocols, "-rtsp_transport", "tcp"]);
                if (rwTimeoutSeconds is { } rtsp) args.AddRange(["-timeout", Microseconds(rtsp)]);
                args.AddRange(["-i", source.Location]);
                break;
            case VideoSourceKind.TestPattern:
                if (realTime || source.IsInherentlyLive) args.Add("-re");
                args.AddRange(["-f", "lavfi", "-i", source.Pattern!.FilterSpec]);
                break;
            default:
                throw new InvalidOperationException($"Unknown source kind {source.Kind}.");
        }
        return args;
    }

    /// <summary>The same input for ffprobe, which always reads as fast as it can.</summary>
    public static IReadOnlyList<string> ProbeArguments(VideoSource source, double? rwTimeoutSeconds = null) =>
        Arguments(source, realTime: false, rwTimeoutSeconds).Where(a => a != "-re").ToList();

    private static string Microseconds(double seconds) =>
        ((long)(seconds * 1_000_000)).ToString(CultureInfo.InvariantCulture);
}
