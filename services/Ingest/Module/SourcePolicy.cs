using DaprVideo.Core.Video;

namespace DaprVideo.Ingest;

/// <summary>
/// What a caller of the HTTP API may stream: any network or test source, but local files only from
/// the configured media folders, judged on the real path (every link resolved), so a symlink
/// cannot lead outside them.
/// </summary>
public sealed class SourcePolicy(IReadOnlyList<string> mediaDirectories)
{
    private readonly string[] _roots = [.. mediaDirectories.Select(d => Path.TrimEndingDirectorySeparator(RealPath(Path.GetFullPath(d))) + Path.DirectorySeparatorChar)];

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line reason when the source is not allowed.</summary>
    public void Check(VideoSource source)
    {
        if (source.Kind != VideoSourceKind.File) return;
        if (_roots.Length == 0)
            throw new ArgumentException("Local files cannot be streamed through the API: no media directory is configured (MEDIA_DIRS).");
        var real = RealPath(Path.GetFullPath(source.Location));
        if (!_roots.Any(root => real.StartsWith(root, StringComparison.Ordinal)))
            throw new ArgumentException("Local files can only be streamed from the configured media directories.");
        if (!File.Exists(real)) throw new ArgumentException("No such file in the media directories.");
    }

    /// <summary>The path with every symbolic link along it resolved (like realpath(3)).</summary>
    internal static string RealPath(string fullPath, int depth = 0)
    {
        if (depth > 40) throw new ArgumentException("Too many levels of symbolic links.");
        var current = Path.GetPathRoot(fullPath)!;
        foreach (var part in fullPath[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            current = info.LinkTarget is { } target
                ? RealPath(Path.GetFullPath(target, current), depth + 1)
                : next;
        }
        return current;
    }
}
