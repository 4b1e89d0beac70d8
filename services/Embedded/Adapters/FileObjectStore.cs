using System.Text.RegularExpressions;
using DaprVideo.Core.Ports;

namespace DaprVideo.Embedded.Adapters;

/// <summary>
/// The embedded object store: one file per key under a root directory. Writes go to a temporary
/// file in the same directory and are renamed over the target, so readers never see a torn object.
/// A key prefix can be folded away: with "streams/", key streams/cam/index.m3u8 is file cam/index.m3u8,
/// which gives the <c>process --out DIR</c> layout DIR/{id}/index.m3u8.
/// </summary>
public sealed partial class FileObjectStore : IObjectStore
{
    private const string TempPrefix = ".tmp-";
    private readonly string _root;
    private readonly string _keyPrefix;

    public FileObjectStore(string root, string keyPrefix = "")
    {
        _root = Path.GetFullPath(root);
        _keyPrefix = keyPrefix;
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    /// <summary>The file behind a key; keys are validated so they can never leave the root.</summary>
    public string PathOf(string key)
    {
        if (!KeyRegex().IsMatch(key) || !key.StartsWith(_keyPrefix, StringComparison.Ordinal)
            || key.Split('/').Any(part => part is "" or "." or ".." || part.StartsWith(TempPrefix, StringComparison.Ordinal)))
            throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
        return Path.Combine(_root, key[_keyPrefix.Length..].Replace('/', Path.DirectorySeparatorChar));
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                await file.WriteAsync(content, cancellationToken);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(key), cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Deleting a key that is not there succeeds (as S3's DeleteObject does), also when its folder is gone.</summary>
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        var dir = Path.GetDirectoryName(path)!;
        try
        {
            File.Delete(path);
            // Drop a folder the delete emptied (raw chunks go once their segment exists), never the root.
            if (dir != _root && !Directory.EnumerateFileSystemEntries(dir).Any())
                Directory.Delete(dir);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone with its folder (another deleter, a purge): deletes are idempotent.
        }
        catch (IOException) when (Directory.Exists(dir))
        {
            // A writer just put a new file there: the folder stays.
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        // List the deepest directory the prefix names, then filter by the full prefix.
        var slash = prefix.LastIndexOf('/');
        var dir = slash < _keyPrefix.Length ? _root : Path.GetDirectoryName(PathOf(prefix[..slash] + "/x"))!;
        if (!Directory.Exists(dir)) return Task.FromResult<IReadOnlyList<string>>([]);

        var keys = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith(TempPrefix, StringComparison.Ordinal))
            .Select(f => _keyPrefix + Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(keys);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_./-]{0,511}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyRegex();
}
