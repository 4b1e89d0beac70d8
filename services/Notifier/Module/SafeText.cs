using System.Text.RegularExpressions;

namespace DaprVideo.Notifier;

/// <summary>
/// Error texts on their way to a log: a URL in them loses its userinfo and query (a webhook's token lives there; Go's
/// net/http strips only the password from its errors), and the text becomes one line.
/// </summary>
public static partial class SafeText
{
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return AnyUrl().Replace(text.ReplaceLineEndings(" "), m => Shown(m.Value));
    }

    /// <summary><c>scheme://host[:port]/path</c>, nothing else; "(a URL)" when it does not parse.</summary>
    public static string Shown(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.IsAbsoluteUri ? $"{url.Scheme}://{url.Authority}{url.AbsolutePath}" : "(a URL)"; // Authority has no userinfo
    }

    private static string Shown(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Shown(uri) : "(a URL)";

    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9+.-]*://[^\s""'<>]+", RegexOptions.CultureInvariant)]
    private static partial Regex AnyUrl();
}
