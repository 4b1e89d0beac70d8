using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DaprVideo.Core.Video;
using static DaprVideo.Media.Libav.LibavNative;

namespace DaprVideo.Media.Libav;

/// <summary>An AVIOContext that collects what a muxer writes in memory (the finished segment's bytes).</summary>
internal sealed unsafe class MemoryOutput : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private readonly MemoryStream _bytes = new();
    private GCHandle _self;
    private void* _io;

    public MemoryOutput()
    {
        _self = GCHandle.Alloc(this);
        var buffer = (byte*)av_malloc(BufferSize);
        if (buffer == null) throw new MediaException("FFmpeg is out of memory: av_malloc failed for the muxer's buffer.");
        _io = avio_alloc_context(buffer, BufferSize, 1, (void*)GCHandle.ToIntPtr(_self), null, &Write, null);
        if (_io == null)
        {
            av_freep(&buffer);
            throw new MediaException("FFmpeg is out of memory: avio_alloc_context failed.");
        }
    }

    public void* Context => _io;

    /// <summary>Everything written so far (call after the trailer).</summary>
    public byte[] ToArray()
    {
        avio_flush(_io);
        return _bytes.ToArray();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Write(void* opaque, byte* buffer, int size)
    {
        var output = (MemoryOutput)GCHandle.FromIntPtr((nint)opaque).Target!;
        output._bytes.Write(new ReadOnlySpan<byte>(buffer, size));
        return size;
    }

    public void Dispose()
    {
        LibavLayout.FreeIoContext(ref _io);
        if (_self.IsAllocated) _self.Free();
        _bytes.Dispose();
    }
}
