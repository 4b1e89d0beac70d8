using System.Globalization;

namespace DaprVideo.Ingest;

/// <summary>
/// This Ingest process's part of the scratch folder (INGEST_SCRATCH_DIR): <c>ingest-PID-RANDOM/</c>, owner-only, with
/// an <c>.owner</c> file held open under an exclusive lock for the life of the process. At claim, every other
/// <c>ingest-*</c> folder whose lock nobody holds belonged to an Ingest that died without cleaning up (SIGKILL, power
/// loss): it is deleted with its half-written chunks and input scripts. Folders of running Ingests keep their lock and
/// are left alone, so several Ingests may share one scratch folder; anything else in the folder is not ours and is
/// never touched.
/// </summary>
/// <remarks>The lock is flock(2) (what .NET takes for <see cref="FileShare.None"/> on Unix); the kernel drops it when the process dies.</remarks>
public sealed class ScratchArea : IDisposable
{
    private const string Prefix = "ingest-";
    private const string OwnerFile = ".owner";

    private readonly FileStream _owner;

    private ScratchArea(string path, FileStream owner, int removedLeftovers)
    {
        Path = path;
        _owner = owner;
        RemovedLeftovers = removedLeftovers;
    }

    /// <summary>This process's folder.</summary>
    public string Path { get; }

    /// <summary>How many dead Ingests' folders the claim removed.</summary>
    public int RemovedLeftovers { get; }

    /// <summary>Removes dead Ingests' leftovers under <paramref name="root"/> and claims a folder for this process.</summary>
    public static ScratchArea Claim(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Directory.CreateDirectory(root);
        var removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(root, Prefix + "*"))
            if (TryRemoveAbandoned(folder)) removed++;

        var path = System.IO.Path.Combine(root, string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}"));
        CreatePrivateDirectory(path);
        var owner = new FileStream(System.IO.Path.Combine(path, OwnerFile), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        return new ScratchArea(path, owner, removed);
    }

    /// <summary>A new owner-only folder for one capture.</summary>
    public string NewCaptureDirectory(string name)
    {
        var path = System.IO.Path.Combine(Path, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        CreatePrivateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        _owner.Dispose();
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* the next Ingest's claim removes it */ }
        catch (UnauthorizedAccessException) { /* the next Ingest's claim removes it */ }
    }

    private static bool TryRemoveAbandoned(string folder)
    {
        var owner = System.IO.Path.Combine(folder, OwnerFile);
        try
        {
            // Held by a running Ingest: the open fails. Free: its Ingest is gone, and holding the lock keeps a
            // concurrent claim from deleting the folder twice.
            using (new FileStream(owner, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(folder).Where(e => System.IO.Path.GetFileName(e) != OwnerFile))
                {
                    if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                    else File.Delete(entry);
                }
            }
            Directory.Delete(folder, recursive: true);
            return true;
        }
        catch (FileNotFoundException)
        {
            // no owner file: a folder being claimed right now, or not ours
            return false;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
