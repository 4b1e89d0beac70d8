using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DaprVideo.Core.Video;
using static DaprVideo.Media.Libav.LibavNative;

namespace DaprVideo.Media.Libav;

/// <summary>
/// An AVIOContext that collects what a muxer writes in memory (the finished segment's bytes). It grows in pooled
/// buffers: a segment is hundreds of KB, and a MemoryStream's doubling would leave each step on the large object heap.
/// </summary>
internal sealed unsafe class MemoryOutput : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(256 * 1024);
    private int _length;
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
        return _bytes.AsSpan(0, _length).ToArray();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Write(void* opaque, byte* buffer, int size)
    {
        var output = (MemoryOutput)GCHandle.FromIntPtr((nint)opaque).Target!;
        output.Append(new ReadOnlySpan<byte>(buffer, size));
        return size;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _bytes.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, _length + data.Length));
            _bytes.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = larger;
        }
        data.CopyTo(_bytes.AsSpan(_length));
        _length += data.Length;
    }

    public void Dispose()
    {
        LibavLayout.FreeIoContext(ref _io);
        if (_self.IsAllocated) _self.Free();
        if (_bytes.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = [];
    }
}
