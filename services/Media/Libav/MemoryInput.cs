using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DaprVideo.Core.Video;
using static DaprVideo.Media.Libav.LibavNative;

namespace DaprVideo.Media.Libav;

/// <summary>
/// An AVIOContext that reads a chunk held in memory, so libavformat demuxes it without a file or pipe.
/// The chunk stays pinned until disposal.
/// </summary>
internal sealed unsafe class MemoryInput : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private MemoryHandle _pin;
    private readonly byte* _data;
    private readonly long _length;
    private long _position;
    private GCHandle _self;
    private void* _io;

    public MemoryInput(ReadOnlyMemory<byte> data)
    {
        _pin = data.Pin();
        _data = (byte*)_pin.Pointer;
        _length = data.Length;
        _self = GCHandle.Alloc(this);
        var buffer = (byte*)av_malloc(BufferSize);
        if (buffer == null) throw new MediaException("FFmpeg is out of memory: av_malloc failed for the demuxer's buffer.");
        _io = avio_alloc_context(buffer, BufferSize, 0, (void*)GCHandle.ToIntPtr(_self), &Read, null, &Seek);
        if (_io == null)
        {
            av_freep(&buffer);
            throw new MediaException("FFmpeg is out of memory: avio_alloc_context failed.");
        }
    }

    public void* Context => _io;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Read(void* opaque, byte* buffer, int size)
    {
        var input = (MemoryInput)GCHandle.FromIntPtr((nint)opaque).Target!;
        var left = input._length - input._position;
        if (left <= 0) return ErrorEof;
        var count = (int)Math.Min(size, left);
        Buffer.MemoryCopy(input._data + input._position, buffer, size, count);
        input._position += count;
        return count;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static long Seek(void* opaque, long offset, int whence)
    {
        var input = (MemoryInput)GCHandle.FromIntPtr((nint)opaque).Target!;
        if ((whence & SeekSize) != 0) return input._length;
        var target = (whence & 3) switch
        {
            0 => offset, // SEEK_SET
            1 => input._position + offset, // SEEK_CUR
            2 => input._length + offset, // SEEK_END
            _ => -1,
        };
        if (target < 0 || target > input._length) return -22; // AVERROR(EINVAL)
        input._position = target;
        return target;
    }

    public void Dispose()
    {
        LibavLayout.FreeIoContext(ref _io);
        if (_self.IsAllocated) _self.Free();
        _pin.Dispose();
    }
}
