using System.Globalization;

namespace DaprVideo.Tests.TestSupport;

/// <summary>What <c>ps</c> shows any local user: the command lines in <c>/proc/PID/cmdline</c>.</summary>
public static class ProcessArguments
{
    /// <summary>Every running process's arguments joined by spaces (program name first, as given), with its pid.</summary>
    public static IEnumerable<(int Pid, string Arguments)> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // exited meanwhile
            }
            if (text.Length == 0) continue; // kernel thread or zombie
            yield return (pid, text.TrimEnd('\0').Replace('\0', ' '));
        }
    }

    /// <summary>Command lines that mention <paramref name="fragment"/>, program name without its folder.</summary>
    public static List<string> Containing(string fragment) =>
        [.. All().Where(p => p.Arguments.Contains(fragment, StringComparison.Ordinal)).Select(p => Path.GetFileName(p.Arguments.Split(' ')[0]) + p.Arguments[p.Arguments.IndexOf(' ', StringComparison.Ordinal)..])];

    /// <summary>The parent pid from <c>/proc/PID/stat</c>, or null when the process is gone or a zombie.</summary>
    public static int? LiveParent(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
