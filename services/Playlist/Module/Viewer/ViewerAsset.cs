using System.Security.Cryptography;

namespace DaprVideo.Playlist.Viewer;

/// <summary>One file of the viewer, held in memory with its content type and a strong ETag from its content.</summary>
internal sealed class ViewerAsset
{
    public ViewerAsset(string name, string contentType, byte[] content)
    {
        Name = name;
        ContentType = contentType;
        Content = content;
        // Eight bytes of SHA-256 are plenty to tell versions of a few files apart.
        Version = Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8));
        ETag = $"\"{Version}\"";
    }

    public string Name { get; }
    public string ContentType { get; }
    public byte[] Content { get; }

    /// <summary>Short content hash, used as the <c>?v=</c> cache-buster in the page's asset URLs.</summary>
    public string Version { get; }

    public string ETag { get; }
}
