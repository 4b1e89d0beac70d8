using System.Globalization;
using DaprVideo.Core.Video;

namespace DaprVideo.Media.Ffmpeg;

/// <summary>
/// The ffmpeg input arguments for a <see cref="VideoSource"/>: built from the validated source only, and each
/// kind runs with an explicit protocol whitelist so a playlist cannot lead ffmpeg to local files or other protocols.
/// A source whose URL carries secrets is opened through a <see cref="PrivateInputScript"/> when a private folder is
/// given, so they never appear in the process arguments.
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
    public static IReadOnlyList<string> Arguments(VideoSource source, bool realTime, double? rwTimeoutSeconds = null, RtspTransport rtspTransport = RtspTransport.Tcp)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Arguments(source, realTime, rwTimeoutSeconds, rtspTransport, source.Loops);
    }

    /// <summary>The same input for ffprobe, which always reads as fast as it can, and once (it has no -stream_loop).</summary>
    public static IReadOnlyList<string> ProbeArguments(VideoSource source, double? rwTimeoutSeconds = null, RtspTransport rtspTransport = RtspTransport.Tcp)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Arguments(source, realTime: false, rwTimeoutSeconds, rtspTransport, loop: false).Where(a => a != "-re").ToList();
    }

    /// <summary>
    /// <see cref="Arguments(VideoSource, bool, double?, RtspTransport)"/> (or, with <paramref name="forProbe"/>,
    /// <see cref="ProbeArguments"/>), except that a source with secrets in its URL is written to a private script in
    /// <paramref name="privateDirectory"/> (returned in <paramref name="script"/>, null otherwise) and opened from there.
    /// </summary>
    internal static IReadOnlyList<string> Arguments(VideoSource source, bool realTime, double? rwTimeoutSeconds, RtspTransport rtspTransport,
        bool forProbe, string privateDirectory, out PrivateInputScript? script)
    {
        script = null;
        if (!PrivateInputScript.IsNeeded(source))
            return forProbe ? ProbeArguments(source, rwTimeoutSeconds, rtspTransport) : Arguments(source, realTime, rwTimeoutSeconds, rtspTransport);
        script = PrivateInputScript.Write(privateDirectory, source.Location, NetworkOptions(source, rwTimeoutSeconds, rtspTransport));
        // The whitelist applies to the script and to every open the demuxer makes for it.
        return ["-protocol_whitelist", "file," + NetworkProtocols(source), "-f", "concat", "-safe", "0", "-i", "file:" + script.Path];
    }

    private static List<string> Arguments(VideoSource source, bool realTime, double? rwTimeoutSeconds, RtspTransport rtspTransport, bool loop)
    {
        var args = new List<string>();
        switch (source.Kind)
        {
            case VideoSourceKind.File:
                args.AddRange(["-protocol_whitelist", FileProtocols]);
                // A looped file is a live camera: read again and again (timestamps keep rising), at its own rate.
                if (loop) args.AddRange(["-stream_loop", "-1", "-re"]);
                else if (realTime) args.Add("-re");
                // The file: prefix stops ffmpeg from reading a protocol out of a path with a colon in it.
                args.AddRange(["-i", "file:" + source.Location]);
                break;
            case VideoSourceKind.Http:
            case VideoSourceKind.Rtsp:
                args.AddRange(["-protocol_whitelist", NetworkProtocols(source)]);
                foreach (var (name, value) in NetworkOptions(source, rwTimeoutSeconds, rtspTransport)) args.AddRange(["-" + name, value]);
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

    private static string NetworkProtocols(VideoSource source) =>
        source.Kind == VideoSourceKind.Rtsp ? RtspProtocols : HttpProtocols;

    private static List<(string Name, string Value)> NetworkOptions(VideoSource source, double? rwTimeoutSeconds, RtspTransport rtspTransport)
    {
        var options = new List<(string, string)>();
        if (source.Kind == VideoSourceKind.Rtsp)
        {
            options.Add(("rtsp_transport", rtspTransport == RtspTransport.Udp ? "udp" : "tcp"));
            if (rwTimeoutSeconds is { } rtsp) options.Add(("timeout", Microseconds(rtsp)));
        }
        else if (rwTimeoutSeconds is { } http)
        {
            options.Add(("rw_timeout", Microseconds(http)));
        }
        return options;
    }

    private static string Microseconds(double seconds) =>
        ((long)(seconds * 1_000_000)).ToString(CultureInfo.InvariantCulture);
}
