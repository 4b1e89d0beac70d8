using System.Runtime.InteropServices;

namespace DaprVideo.Media;

/// <summary>
/// glibc's allocator, set for the codecs: hosts call <see cref="Configure"/> first thing in Main, before ONNX Runtime,
/// Kestrel and the thread pool start threads that each make an arena; the codecs call it again (a no-op then).
/// </summary>
public static partial class NativeHeap
{
    private const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD
    private const int MallocArenaMax = -8; // M_ARENA_MAX
    private static int _configured;

    [LibraryImport("libc.so.6")] private static partial int mallopt(int parameter, int value);

    public static void Configure()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _configured, 1) == 1) return;
        try
        {
            // Each segment's encoder allocates and frees some twenty frame-sized buffers; glibc's default (a threshold
            // that rises to 32 MiB after the first free) would keep them in its per-thread arenas for good, and they add
            // up over the pool threads that encode (measured on `process`: peak RSS 591 -> 450 MB).
            _ = mallopt(MallocMmapThreshold, 128 * 1024);
            // And two arenas, not glibc's eight per core: the codec and detector threads' freed memory stayed spread over
            // a dozen arenas (OverloadBench, 9 live cameras, MALLOC_ARENA_MAX=2 from the start: RSS 678 -> 567 MB at the
            // same speed). It applies only to arenas not made yet, hence first thing in Main.
            _ = mallopt(MallocArenaMax, 2);
        }
        catch (DllNotFoundException)
        {
            // Not glibc (musl): its allocator has neither setting.
        }
    }
}
