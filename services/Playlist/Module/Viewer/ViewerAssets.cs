using System.Collections.Frozen;
using System.Text;

namespace DaprVideo.Playlist.Viewer;

/// <summary>
/// The viewer's files, read once from the assembly's embedded resources. The page's references to its assets get
/// a content-hash query (<c>/viewer/viewer.js?v=…</c>) so browsers may cache the assets for good and still pick up
/// a new build at once.
/// </summary>
internal sealed class ViewerAssets
{
    private const string ResourcePrefix = "DaprVideo.Viewer/";

    private ViewerAssets(ViewerAsset page, FrozenDictionary<string, ViewerAsset> files)
    {
        Page = page;
        Files = files;
    }

    public static ViewerAssets Instance { get; } = Load();

    /// <summary><c>index.html</c>, with versioned asset URLs.</summary>
    public ViewerAsset Page { get; }

    /// <summary>Everything served under <c>/viewer/</c>, by file name (exact, case-sensitive).</summary>
    public FrozenDictionary<string, ViewerAsset> Files { get; }

    private static ViewerAssets Load()
    {
        var assembly = typeof(ViewerAssets).Assembly;
        var files = new Dictionary<string, ViewerAsset>(StringComparer.Ordinal);
        byte[]? page = null;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            if (name == "index.html")
                page = buffer.ToArray();
            else
                files[name] = new ViewerAsset(name, ContentTypeOf(name), buffer.ToArray());
        }
        if (page is null)
            throw new InvalidOperationException("The viewer page (index.html) is missing from the DaprVideo.Playlist assembly.");

        var html = Encoding.UTF8.GetString(page);
        foreach (var file in files.Values)
            html = html.Replace($"\"/viewer/{file.Name}\"", $"\"/viewer/{file.Name}?v={file.Version}\"", StringComparison.Ordinal);
        return new ViewerAssets(new ViewerAsset("index.html", ContentTypeOf("index.html"), Encoding.UTF8.GetBytes(html)), files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static string ContentTypeOf(string name) =>
        name.StartsWith("LICENSE", StringComparison.Ordinal) ? "text/plain; charset=utf-8" // LICENSE.hls.js is text, not a script
        : Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => "text/plain; charset=utf-8",
        };
}
