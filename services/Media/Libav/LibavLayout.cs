using static DaprVideo.Media.Libav.LibavNative;

namespace DaprVideo.Media.Libav;

/// <summary>
/// Field offsets of the FFmpeg 5.1 structs we read or set (x86-64), taken with <c>offsetof</c> against
/// Debian 12's libavformat-dev/libavcodec-dev/libavutil-dev 7:5.1 headers (avformat.h, codec_par.h,
/// packet.h, frame.h, avcodec.h). Only public fields that FFmpeg's ABI policy keeps fixed within a
/// major version; the sonames in <see cref="LibavNative"/> pin that version.
/// </summary>
internal static unsafe class LibavLayout
{
    // AVFormatContext
    public static void SetIo(void* format, void* io) => *(void**)((byte*)format + 32) = io;
    public static uint StreamCount(void* format) => *(uint*)((byte*)format + 44);
    public static void* Stream(void* format, int index) => (*(void***)((byte*)format + 48))[index];
    public static void SetMaxDelay(void* format, int microseconds) => *(int*)((byte*)format + 92) = microseconds;

    /// <summary>
    /// Frees an AVIOContext of ours with its current buffer and clears the pointer (no-op when null). libavformat may
    /// swap the buffer it was given, so the current one (the field after av_class) is freed, not ours.
    /// </summary>
    public static void FreeIoContext(ref void* io)
    {
        if (io == null) return;
        av_freep((byte*)io + 8);
        var context = io;
        avio_context_free(&context);
        io = null;
    }

    // AVStream
    public static Rational StreamTimeBase(void* stream) => *(Rational*)((byte*)stream + 16);
    public static void SetStreamTimeBase(void* stream, Rational value) => *(Rational*)((byte*)stream + 16) = value;
    public static void* StreamParameters(void* stream) => *(void**)((byte*)stream + 208);

    // AVPacket
    public static long PacketPts(void* packet) => *(long*)((byte*)packet + 8);
    public static int PacketStreamIndex(void* packet) => *(int*)((byte*)packet + 36);
    public static void SetPacketStreamIndex(void* packet, int index) => *(int*)((byte*)packet + 36) = index;
    public static void ShiftPacket(void* packet, long ticks)
    {
        var pts = (long*)((byte*)packet + 8);
        var dts = (long*)((byte*)packet + 16);
        if (*pts != NoPts) *pts += ticks;
        if (*dts != NoPts) *dts += ticks;
    }

    // AVFrame
    public static byte** FrameData(void* frame) => (byte**)frame;
    public static int* FrameLineSizes(void* frame) => (int*)((byte*)frame + 64);
    public static int FrameWidth(void* frame) => *(int*)((byte*)frame + 104);
    public static int FrameHeight(void* frame) => *(int*)((byte*)frame + 108);
    public static int FrameFormat(void* frame) => *(int*)((byte*)frame + 116);
    public static void SetFramePicture(void* frame, int width, int height, int format)
    {
        *(int*)((byte*)frame + 104) = width;
        *(int*)((byte*)frame + 108) = height;
        *(int*)((byte*)frame + 116) = format;
    }
    public static void SetFramePts(void* frame, long pts) => *(long*)((byte*)frame + 136) = pts;
    public static long FrameBestEffortTimestamp(void* frame) => *(long*)((byte*)frame + 344);

    // AVCodecContext
    public static void SetTimeBase(void* codec, Rational value) => *(Rational*)((byte*)codec + 100) = value;
    public static Rational TimeBase(void* codec) => *(Rational*)((byte*)codec + 100);
    public static void SetPicture(void* codec, int width, int height, int format)
    {
        *(int*)((byte*)codec + 116) = width;
        *(int*)((byte*)codec + 120) = height;
        *(int*)((byte*)codec + 136) = format;
    }
    public static void SetGopSize(void* codec, int frames) => *(int*)((byte*)codec + 132) = frames;
    public static void SetThreadCount(void* codec, int threads) => *(int*)((byte*)codec + 636) = threads;
    public static void SetFrameRate(void* codec, Rational value) => *(Rational*)((byte*)codec + 712) = value;
    public static void SetPacketTimeBase(void* codec, Rational value) => *(Rational*)((byte*)codec + 724) = value;
}
