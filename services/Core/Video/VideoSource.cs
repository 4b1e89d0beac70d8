using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprVideo.Core.Video;

/// <summary>
/// A validated video source: an absolute local path, an http(s) or rtsp(s) URL, or the
/// <c>testsrc</c> pattern (<c>testsrc</c>, <c>testsrc:duration=10:size=640x360:rate=25</c>).
/// Only this type turns user text into a source; the media adapters build their arguments from it alone.
/// </summary>
public sealed partial class VideoSource
{
    public const int MaxLength = 4096;

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
    /// This file, played in a loop at its own rate until stopped, its timestamps rising across loops (a live camera
    /// made of a recording). Code only: API text never asks for it.
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

    public override string ToString() => DisplayName;

    private static string Redact(string text) => CredentialsRegex().Replace(text, "$1***@");

    private static string Truncate(string value) => value.Length > 80 ? value[..80] + "..." : value;

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*):", RegexOptions.CultureInvariant)]
    private static partial Regex SchemeRegex();

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", RegexOptions.CultureInvariant)]
    private static partial Regex CredentialsRegex();
}
