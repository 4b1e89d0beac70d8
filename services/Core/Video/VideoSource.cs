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

    /// <summary>
    /// <see cref="Location"/> as it may be shown: safe for the API, logs, errors and stream records. URLs lose their
    /// userinfo and the values of credential-like query parameters (<see cref="SecretQueryParameters"/>, any case,
    /// become <c>***</c>); a local file is shown by its file name only (the server's folders are nobody's business).
    /// </summary>
    public string DisplayName { get; }

    /// <summary>
    /// Query parameters whose values are treated as secrets in URLs (compared ignoring case): tokens, passwords,
    /// keys and signatures as cameras, CDNs and cloud storage (S3, Azure SAS, GCS) put them.
    /// </summary>
    public static readonly IReadOnlyList<string> SecretQueryParameters =
    [
        "token", "access_token", "auth", "authorization", "auth_token", "password", "passwd", "pwd", "pass",
        "key", "apikey", "api_key", "secret", "client_secret", "signature", "sig", "credential", "credentials",
        "session", "sessionid", "jwt", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
        "x-goog-signature", "x-goog-credential",
    ];

    /// <summary>True when <see cref="Location"/> carries a secret: URL userinfo or a <see cref="SecretQueryParameters"/> value.</summary>
    public bool HasSecrets { get; }

    /// <summary>True when the URL has userinfo (<c>user:password@</c>).</summary>
    public bool HasUserInfo { get; }

    /// <summary>The test pattern's parameters (null for other kinds).</summary>
    public TestPattern? Pattern { get; }

    /// <summary>A file played over and over (<see cref="Looped"/>): the demo's endless camera.</summary>
    public bool Loops { get; }

    /// <summary>True when the source never ends by itself: a camera, an endless test pattern or a looped file.</summary>
    public bool IsInherentlyLive => Kind == VideoSourceKind.Rtsp || Loops || (Kind == VideoSourceKind.TestPattern && Pattern!.DurationSeconds is null);

    private VideoSource(VideoSourceKind kind, string location, string displayName, TestPattern? pattern = null, bool loops = false,
        bool hasUserInfo = false, bool hasSecrets = false, IReadOnlyList<string>? secretValues = null)
    {
        Kind = kind;
        Location = location;
        DisplayName = displayName;
        Pattern = pattern;
        Loops = loops;
        HasUserInfo = hasUserInfo;
        HasSecrets = hasSecrets;
        _secretValues = secretValues ?? [];
    }

    /// <summary>The secret strings inside <see cref="Location"/> (decoded and as written), for <see cref="Redact"/>.</summary>
    private readonly IReadOnlyList<string> _secretValues;

    /// <summary>
    /// The same URL with <paramref name="username"/> and <paramref name="password"/> as its userinfo (percent-encoded):
    /// what ffmpeg opens. The display form stays without them. Only for http(s) and rtsp(s) sources without userinfo.
    /// </summary>
    public VideoSource WithCredentials(string username, string password)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        if (Kind is not (VideoSourceKind.Http or VideoSourceKind.Rtsp))
            throw new ArgumentException("Credentials apply to http(s) and rtsp(s) sources only.");
        if (HasUserInfo) throw new ArgumentException("The source URL already carries credentials (user:password@); give them once.");
        if (username.Length == 0) throw new ArgumentException("The credentials' username is empty.");
        if (username.Any(char.IsControl) || password.Any(char.IsControl)) throw new ArgumentException("The credentials contain control characters.");
        var uri = new Uri(Location);
        var userInfo = Uri.EscapeDataString(username) + ":" + Uri.EscapeDataString(password);
        var location = uri.GetLeftPart(UriPartial.Scheme) + userInfo + "@" + uri.GetComponents(UriComponents.Host | UriComponents.Port | UriComponents.PathAndQuery, UriFormat.UriEscaped);
        return new VideoSource(Kind, location, DisplayName, Pattern, loops: false, hasUserInfo: true, hasSecrets: true, secretValues:
            [.. _secretValues, username, password, Uri.EscapeDataString(username), Uri.EscapeDataString(password), userInfo]);
    }

    /// <summary>
    /// <paramref name="text"/> (an error message, ffmpeg's last line) with this source's secrets taken out: the full
    /// location becomes <see cref="DisplayName"/>, every secret value and any other URL's userinfo or secret query
    /// values become <c>***</c>.
    /// </summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = text.Replace(Location, DisplayName, StringComparison.Ordinal);
        foreach (var secret in _secretValues.Where(v => v.Length >= 3).OrderByDescending(v => v.Length))
            result = result.Replace(secret, "***", StringComparison.Ordinal);
        return RedactText(result);
    }

    /// <summary>Any text with URL userinfo and secret query values (<see cref="SecretQueryParameters"/>) replaced by <c>***</c>.</summary>
    public static string RedactText(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = UserInfoInTextRegex().Replace(text, "$1***@");
        return QueryInTextRegex().Replace(result, m => IsSecretParameter(Uri.UnescapeDataString(m.Groups[2].Value))
            ? m.Groups[1].Value + m.Groups[2].Value + "=***"
            : m.Value);
    }

    private static bool IsSecretParameter(string name) =>
        SecretQueryParameters.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase);

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
        return Done(out source, new VideoSource(VideoSourceKind.File, full, Path.GetFileName(full)));
    }

    private static string? ParseUrl(string text, VideoSourceKind kind, out VideoSource? source)
    {
        source = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            return $"Video source URL '{Truncate(RedactText(text))}' is not a valid absolute URL with a host.";
        if (text.Any(char.IsWhiteSpace))
            return "Video source URL contains white space; percent-encode it.";
        if (!string.IsNullOrEmpty(uri.Fragment))
            return "Video source URL must not have a #fragment.";
        var hasUserInfo = !string.IsNullOrEmpty(uri.UserInfo);
        var secrets = new List<string>();
        if (hasUserInfo)
        {
            secrets.Add(uri.UserInfo);
            foreach (var part in uri.UserInfo.Split(':', 2)) secrets.AddRange([part, Uri.UnescapeDataString(part)]);
        }
        var withoutUser = hasUserInfo ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri : uri;
        var display = withoutUser.GetLeftPart(UriPartial.Path) + RedactQuery(withoutUser.Query, secrets);
        return Done(out source, new VideoSource(kind, uri.AbsoluteUri, display, hasUserInfo: hasUserInfo,
            hasSecrets: hasUserInfo || secrets.Count > 0, secretValues: secrets));
    }

    private static string? Done(out VideoSource? source, VideoSource value)
    {
        source = value;
        return null;
    }

    public override string ToString() => DisplayName;

    /// <summary>The query (with its '?') with every secret parameter's value replaced by <c>***</c>; the values go to <paramref name="secrets"/>.</summary>
    private static string RedactQuery(string query, List<string> secrets)
    {
        if (query.Length <= 1) return query;
        var parts = query[1..].Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !IsSecretParameter(Uri.UnescapeDataString(parts[i][..eq]))) continue;
            var value = parts[i][(eq + 1)..];
            if (value.Length > 0) secrets.AddRange([value, Uri.UnescapeDataString(value)]);
            parts[i] = parts[i][..eq] + "=***";
        }
        return "?" + string.Join('&', parts);
    }

    private static string Truncate(string value) => value.Length > 80 ? value[..80] + "..." : value;

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*):", RegexOptions.CultureInvariant)]
    private static partial Regex SchemeRegex();

    /// <summary>scheme://userinfo@ anywhere in a text (userinfo: no '/', '@' or white space).</summary>
    [GeneratedRegex(@"\b([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfoInTextRegex();

    /// <summary>name=value after '?', '&amp;' or ';' anywhere in a text (value up to '&amp;', white space or a quote).</summary>
    [GeneratedRegex(@"([?&;])([A-Za-z0-9_.%-]+)=[^&\s""'<>]*", RegexOptions.CultureInvariant)]
    private static partial Regex QueryInTextRegex();
}
