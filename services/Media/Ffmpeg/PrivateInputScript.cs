using System.Globalization;
using System.Text;
using DaprVideo.Core.Video;

namespace DaprVideo.Media.Ffmpeg;

/// <summary>
/// Keeps a source's secrets (URL user info, query tokens) out of ffmpeg's command line, which any local user can read
/// (<c>ps</c>, <c>/proc/PID/cmdline</c>): the URL and its per-input options go into a one-entry ffconcat script,
/// written owner-only (0600) in a private folder, and ffmpeg opens the script with the concat demuxer. The inner open
/// inherits the protocol whitelist. The script is deleted as soon as ffmpeg has read it (see <see cref="Delete"/>) and
/// at the latest when the run ends.
/// </summary>
internal sealed class PrivateInputScript : IDisposable
{
    private PrivateInputScript(string path) => Path = path;

    public string Path { get; }

    /// <summary>True when the source's URL carries anything that must not be shown: user info or a query.</summary>
    public static bool IsNeeded(VideoSource source)
    {
        if (source.Kind is not (VideoSourceKind.Rtsp or VideoSourceKind.Http)) return false;
        var uri = new Uri(source.Location);
        return uri.UserInfo.Length > 0 || uri.Query.Length > 0;
    }

    /// <summary>Writes the script into <paramref name="directory"/> (created 0700 when missing) and returns it.</summary>
    public static PrivateInputScript Write(string directory, string url, IReadOnlyList<(string Name, string Value)> options)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = System.IO.Path.Combine(directory, "input-" + Guid.NewGuid().ToString("N") + ".ffconcat");
        var text = new StringBuilder("ffconcat version 1.0\n");
        text.Append(CultureInfo.InvariantCulture, $"file {Quote(url)}\n");
        foreach (var (name, value) in options) text.Append(CultureInfo.InvariantCulture, $"option {name} {Quote(value)}\n");
        var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(path, streamOptions))
            file.Write(Encoding.UTF8.GetBytes(text.ToString()));
        return new PrivateInputScript(path);
    }

    /// <summary>Deletes the script (idempotent): call once ffmpeg has opened its input; the concat demuxer reads the whole script at open.</summary>
    public void Delete()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // already gone with its folder
        }
        catch (UnauthorizedAccessException)
        {
            // already gone with its folder
        }
    }

    public void Dispose() => Delete();

    // ffmpeg's token quoting: inside '...' everything is literal, a quote itself is closed, escaped and reopened.
    private static string Quote(string value) => "'" + value.Replace("'", @"'\''", StringComparison.Ordinal) + "'";
}
