using Microsoft.AspNetCore.Http;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// Which web origins may read the read-only routes (HLS playlists and segments, stream state, search) from another
/// site: CORS_ALLOWED_ORIGINS, a comma-separated list of origins or <c>*</c>. Empty (the default) is off: only
/// same-origin pages such as the bundled viewer can read them. No credentials are ever allowed, and the control
/// calls (POST/DELETE) never answer cross-origin.
/// </summary>
public sealed class CrossOriginPolicy
{
    private readonly HashSet<string> _origins;
    private readonly bool _any;

    public CrossOriginPolicy(IEnumerable<string> origins)
    {
        ArgumentNullException.ThrowIfNull(origins);
        // Browsers send origins as scheme://host[:port], lower case; a configured trailing slash is a common slip.
        _origins = new HashSet<string>(origins.Select(o => o.Trim().TrimEnd('/')).Where(o => o.Length > 0), StringComparer.OrdinalIgnoreCase);
        _any = _origins.Remove("*");
    }

    public static CrossOriginPolicy Off { get; } = new([]);

    /// <summary>The setting's value (null or blank: off).</summary>
    public static CrossOriginPolicy Parse(string? origins) =>
        string.IsNullOrWhiteSpace(origins) ? Off : new CrossOriginPolicy(origins.Split(','));

    public bool IsOn => _any || _origins.Count > 0;

    /// <summary>The Access-Control-Allow-Origin value for a request from <paramref name="origin"/>, or null when it may not read.</summary>
    public string? AllowedOrigin(string? origin) =>
        string.IsNullOrEmpty(origin) ? null
        : _any ? "*"
        : _origins.Contains(origin) ? origin
        : null;

    /// <summary>Headers of an actual (non-preflight) answer to <paramref name="request"/>.</summary>
    public void Apply(HttpRequest request, IHeaderDictionary response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (!IsOn) return;
        // The answer depends on Origin unless every origin gets the same one: caches must keep them apart.
        if (!_any) response.Append("Vary", "Origin");
        if (AllowedOrigin(request.Headers.Origin) is not { } allowed) return;
        response.AccessControlAllowOrigin = allowed;
        // Validators and ranges for players that read them; Content-Length and Content-Type are visible anyway.
        response.AccessControlExposeHeaders = "Accept-Ranges, Content-Range, ETag, Last-Modified";
    }
}
