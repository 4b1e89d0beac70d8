using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprVideo.Core.Media;

/// <summary>
/// A validated video source: an absolute local path, an http(s) or rtsp(s) URL, or the
/// <c>testsrc</c> pattern (<c>testsrc</c>, <c>testsrc:duration=10:size=640x360:rate=25</c>).
/// Only this type turns user text into ffmpeg input arguments, and each kind runs with an
/// explicit protocol whitelist so a playlist cannot lead ffmpeg to local files or other protocols.
/// </summary>
public sealed partial class VideoSource
{
    public const int MaxLength = 4096;

    // What ffmpeg may open for each kind, enforced by ffmpeg itself (nested opens included).
    internal const string FileProtocols = "file";
    internal const string HttpProtocols = "http,https,tcp,tls,crypto";
    internal const string RtspProtocols = "rtsp,rtsps,rtp,srtp,udp,tcp,tls";

    public VideoSourceKind Kind { get; }

    /// <summary>The resolved absolute path, the normalised URL, or the canonical testsrc spec.</summary>
    public string Location { get; }

    /// <summary><see cref="Location"/> with URL credentials removed: safe for logs, errors and descriptors.</summary>
    public string DisplayName { get; }

    /// <summary>The test pattern's parameters (null for other kinds).</summary>
    public TestPattern? Pattern { get; }

    /// <summary>A file played over and over (<see cref="Looped"/>): the demo's endless camera.</summary>
    public bool Loops { get; }

    /// <summary>True when the source never ends by itself: a camera, an endless test pattern or a looped file.</summary>
    public bool IsInherentlyLive => Kind == VideoSourceKind.Rtsp || Loops || (Kind == VideoSourceKind.TestPattern && Pattern!.DurationSeconds is null);

    private VideoSource(VideoSourceKind kind, string location, string displayName, TestPattern? pattern = null, bool loops = false)
    {
        Kind = kind;
        Location = location;
        DisplayName = displayName;
        Pattern = pattern;
        Loops = loops;
    }

    /// <summary>
    /// This file, played in a loop at its own rate until stopped (ffmpeg <c>-stream_loop -1 -re</c>; timestamps keep
    /// rising across loops). Code only: API text never asks for it.
    /// </summary>
    public VideoSource Looped() =>
        Kind == VideoSourceKind.File
            ? new VideoSource(Kind, Location, DisplayName, loops: true)
            : throw new InvalidOperationException($"Only a file can be looped, not {Kind}.");

    public static VideoSource Parse(string? text) =>
        TryParse(text, out var source, out var error) ? source : throw new ArgumentException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out VideoSource? source, [NotNullWhen(false)] out string? error)
    {
        source = null;
        error = Validate(text, out source);
        return error is null;
    }

    private static string? Validate(string? text, out VideoSource? source)
    {
        source = null;
        if (string.IsNullOrWhiteSpace(text))
            return "Video source is empty: give an absolute file path, an http(s) or rtsp(s) URL, or testsrc.";
        if (text.Length > MaxLength)
            return $"Video source is longer than {MaxLength} characters.";
        if (text.Any(char.IsControl))
            return "Video source contains control characters (NUL, newline, ...).";
        if (text != text.Trim())
            return "Video source has leading or trailing white space.";

        if (text == "testsrc" || text.StartsWith("testsrc:", StringComparison.Ordinal))
            return TestPattern.TryParse(text, out var pattern, out var patternError)
                ? Done(out source, new VideoSource(VideoSourceKind.TestPattern, pattern.ToString(), pattern.ToString(), pattern))
                : patternError;

        var scheme = SchemeRegex().Match(text);
        if (scheme.Success)
        {
            var name = scheme.Groups[1].Value.ToLowerInvariant();
            return name switch
            {
                "http" or "https" => ParseUrl(text, VideoSourceKind.Http, out source),
                "rtsp" or "rtsps" => ParseUrl(text, VideoSourceKind.Rtsp, out source),
                _ => $"Video source scheme '{Truncate(name)}:' is not allowed: use an absolute file path, http(s)://, rtsp(s):// or testsrc.",
            };
        }

        return ParsePath(text, out source);
    }

    private static string? ParsePath(string text, out VideoSource? source)
    {
        source = null;
        if (!Path.IsPathFullyQualified(text))
            return $"Video source '{Truncate(text)}' is neither an absolute path nor an allowed URL.";
        string full;
        try
        {
            full = Path.GetFullPath(text);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"Video source path '{Truncate(text)}' is not a valid path: {e.Message}";
        }
        if (!Path.IsPathFullyQualified(full) || full.EndsWith(Path.DirectorySeparatorChar))
            return $"Video source path '{Truncate(text)}' does not name a file.";
        return Done(out source, new VideoSource(VideoSourceKind.File, full, full));
    }

    private static string? ParseUrl(string text, VideoSourceKind kind, out VideoSource? source)
    {
        source = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            return $"Video source URL '{Truncate(Redact(text))}' is not a valid absolute URL with a host.";
        if (text.Any(char.IsWhiteSpace))
            return "Video source URL contains white space; percent-encode it.";
        if (!string.IsNullOrEmpty(uri.Fragment))
            return "Video source URL must not have a #fragment.";
        var display = string.IsNullOrEmpty(uri.UserInfo)
            ? uri.AbsoluteUri
            : new UriBuilder(uri) { UserName = "", Password = "" }.Uri.AbsoluteUri;
        return Done(out source, new VideoSource(kind, uri.AbsoluteUri, display));
    }

    private static string? Done(out VideoSource? source, VideoSource value)
    {
        source = value;
        return null;
    }

    /// <summary>
    /// ffmpeg input options and the input itself. <paramref name="realTime"/> adds <c>-re</c>
    /// (read at the native rate) for sources that would otherwise be read as fast as possible.
    /// </summary>
    internal IReadOnlyList<string> InputArguments(bool realTime, double? rwTimeoutSeconds = null) => InputArguments(realTime, rwTimeoutSeconds, Loops);

    private List<string> InputArguments(bool realTime, double? rwTimeoutSeconds, bool loop)
    {
        var args = new List<string>();
        switch (Kind)
        {
            case VideoSourceKind.File:
                args.AddRange(["-protocol_whitelist", FileProtocols]);
                if (loop) args.AddRange(["-stream_loop", "-1", "-re"]);
                else if (realTime) args.Add("-re");
                // The file: prefix stops ffmpeg from reading a protocol out of a path with a colon in it.
                args.AddRange(["-i", "file:" + Location]);
                break;
            case VideoSourceKind.Http:
                args.AddRange(["-protocol_whitelist", HttpProtocols]);
                if (rwTimeoutSeconds is { } http) args.AddRange(["-rw_timeout", Microseconds(http)]);
                args.AddRange(["-i", Location]);
                break;
            case VideoSourceKind.Rtsp:
                args.AddRange(["-protocol_whitelist", RtspProtocols, "-rtsp_transport", "tcp"]);
                if (rwTimeoutSeconds is { } rtsp) args.AddRange(["-timeout", Microseconds(rtsp)]);
                args.AddRange(["-i", Location]);
                break;
            case VideoSourceKind.TestPattern:
                if (realTime || IsInherentlyLive) args.Add("-re");
                args.AddRange(["-f", "lavfi", "-i", Pattern!.FilterSpec]);
                break;
            default:
                throw new InvalidOperationException($"Unknown source kind {Kind}.");
        }
        return args;
    }

    /// <summary>The same input for ffprobe, which always reads as fast as it can, and once (it has no -stream_loop).</summary>
    internal IReadOnlyList<string> ProbeInputArguments(double? rwTimeoutSeconds = null) =>
        InputArguments(realTime: false, rwTimeoutSeconds, loop: false).Where(a => a != "-re").ToList();

    public override string ToString() => DisplayName;

    private static string Microseconds(double seconds) =>
        ((long)(seconds * 1_000_000)).ToString(CultureInfo.InvariantCulture);

    private static string Redact(string text) => CredentialsRegex().Replace(text, "$1***@");

    private static string Truncate(string value) => value.Length > 80 ? value[..80] + "..." : value;

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*):", RegexOptions.CultureInvariant)]
    private static partial Regex SchemeRegex();

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", RegexOptions.CultureInvariant)]
    private static partial Regex CredentialsRegex();
}
