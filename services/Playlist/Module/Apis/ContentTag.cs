using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace DaprVideo.Playlist.Apis;

/// <summary>
/// Strong ETags from content: equal bytes give equal tags on every replica and across restarts, and a regenerated
/// object (the demo's segments) gets a new one.
/// </summary>
internal static class ContentTag
{
    public static EntityTagHeaderValue Of(ReadOnlySpan<byte> content) =>
        // 16 bytes of SHA-256: no collision between versions of one URL in any realistic lifetime.
        new($"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16))}\"");
}
