using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace DaprVideo.Media.Ffmpeg;

/// <summary>
/// Widens a Linux pipe (64 KiB by default) so a raw frame of a megabyte or more crosses in a few
/// writes instead of dozens of wake-ups of ffmpeg and of us. Best effort: elsewhere, or when the
/// system limit is lower, the pipe keeps its size.
/// </summary>
internal static class PipeCapacity
{
    private const int SetPipeSize = 1031; // F_SETPIPE_SZ

    /// <summary>1 MiB: Linux's default upper limit for unprivileged processes (/proc/sys/fs/pipe-max-size).</summary>
    public const int Wide = 1 << 20;

    public static void TryWiden(Stream stream, int bytes = Wide)
    {
        if (!OperatingSystem.IsLinux() || stream is not PipeStream pipe) return;
        try
        {
            _ = SetPipeSizeCall((int)pipe.SafePipeHandle.DangerousGetHandle(), SetPipeSize, bytes);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or ObjectDisposedException)
        {
            // not available here: the default size works, only slower
        }
    }

    // DllImport, not LibraryImport: the generated stub would need unsafe code for a call with plain ints.
    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetPipeSizeCall(int fd, int command, int size);
}
