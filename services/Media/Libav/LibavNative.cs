using System.Runtime.InteropServices;

namespace DaprVideo.Media.Libav;

/// <summary>
/// The few libavformat/libavcodec/libavutil/libswscale calls the in-process codecs make, bound to
/// FFmpeg 5.1's sonames (Debian 12: libavcodec59, libavformat59, libavutil57, libswscale6): the
/// same libraries the ffmpeg command uses, loaded once instead of once per chunk. FFmpeg keeps a
/// major version's ABI stable, so pinning the sonames pins the struct layout in <see cref="LibavLayout"/>.
/// </summary>
internal static unsafe partial class LibavNative
{
    private const string Util = "libavutil.so.57";
    private const string Codec = "libavcodec.so.59";
    private const string Format = "libavformat.so.59";
    private const string Scale = "libswscale.so.6";

    public const int ErrorEof = -541478725; // AVERROR_EOF, FFERRTAG('E','O','F',' ')
    public const int ErrorAgain = -11; // AVERROR(EAGAIN)
    public const int ErrorInvalidData = -1094995529; // AVERROR_INVALIDDATA
    public const int SeekSize = 0x10000; // AVSEEK_SIZE
    public const long NoPts = long.MinValue; // AV_NOPTS_VALUE
    public const int MediaTypeVideo = 0;
    public const int PixelFormatYuv420P = 0;
    public const int PixelFormatRgb24 = 2;
    public const int PixelFormatBgra = 28;
    public const int SwsBicubic = 4; // the ffmpeg command's scaler default
    public const int OptSearchChildren = 1;
    public const int LogError = 16;

    [StructLayout(LayoutKind.Sequential)]
    public readonly record struct Rational(int Num, int Den);

    // libavutil
    [LibraryImport(Util)] public static partial void* av_malloc(nuint size);
    [LibraryImport(Util)] public static partial void av_freep(void* pointerToPointer);
    [LibraryImport(Util)] public static partial int av_strerror(int error, byte* buffer, nuint size);
    [LibraryImport(Util)] public static partial void av_log_set_level(int level);
    [LibraryImport(Util)] public static partial void* av_frame_alloc();
    [LibraryImport(Util)] public static partial void av_frame_free(void** frame);
    [LibraryImport(Util)] public static partial void av_frame_unref(void* frame);
    [LibraryImport(Util)] public static partial int av_frame_get_buffer(void* frame, int align);
    [LibraryImport(Util)] public static partial int av_frame_make_writable(void* frame);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_opt_set(void* target, string name, string value, int flags);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_dict_set(void** dictionary, string key, string value, int flags);
    [LibraryImport(Util)] public static partial void av_dict_free(void** dictionary);

    // libavcodec
    [LibraryImport(Codec, StringMarshalling = StringMarshalling.Utf8)] public static partial void* avcodec_find_encoder_by_name(string name);
    [LibraryImport(Codec)] public static partial void* avcodec_alloc_context3(void* codec);
    [LibraryImport(Codec)] public static partial void avcodec_free_context(void** context);
    [LibraryImport(Codec)] public static partial int avcodec_parameters_to_context(void* context, void* parameters);
    [LibraryImport(Codec)] public static partial int avcodec_parameters_from_context(void* parameters, void* context);
    [LibraryImport(Codec)] public static partial int avcodec_open2(void* context, void* codec, void** options);
    [LibraryImport(Codec)] public static partial int avcodec_send_packet(void* context, void* packet);
    [LibraryImport(Codec)] public static partial int avcodec_receive_frame(void* context, void* frame);
    [LibraryImport(Codec)] public static partial int avcodec_send_frame(void* context, void* frame);
    [LibraryImport(Codec)] public static partial int avcodec_receive_packet(void* context, void* packet);
    [LibraryImport(Codec)] public static partial void* av_packet_alloc();
    [LibraryImport(Codec)] public static partial void av_packet_free(void** packet);
    [LibraryImport(Codec)] public static partial void av_packet_unref(void* packet);
    [LibraryImport(Codec)] public static partial void av_packet_rescale_ts(void* packet, Rational from, Rational to);

    // libavformat
    [LibraryImport(Format)] public static partial void* avformat_alloc_context();
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial void* av_find_input_format(string name);
    [LibraryImport(Format)] public static partial int avformat_open_input(void** context, byte* url, void* format, void** options);
    [LibraryImport(Format)] public static partial int avformat_find_stream_info(void* context, void** options);
    [LibraryImport(Format)] public static partial int av_find_best_stream(void* context, int type, int wanted, int related, void** decoder, int flags);
    [LibraryImport(Format)] public static partial Rational av_guess_frame_rate(void* context, void* stream, void* frame);
    [LibraryImport(Format)] public static partial int av_read_frame(void* context, void* packet);
    [LibraryImport(Format)] public static partial void avformat_close_input(void** context);
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial int avformat_alloc_output_context2(void** context, void* format, string formatName, string? fileName);
    [LibraryImport(Format)] public static partial void* avformat_new_stream(void* context, void* codec);
    [LibraryImport(Format)] public static partial int avformat_write_header(void* context, void** options);
    [LibraryImport(Format)] public static partial int av_write_frame(void* context, void* packet);
    [LibraryImport(Format)] public static partial int av_write_trailer(void* context);
    [LibraryImport(Format)] public static partial void avformat_free_context(void* context);
    [LibraryImport(Format)] public static partial void* avio_alloc_context(byte* buffer, int size, int writable, void* opaque,
        delegate* unmanaged[Cdecl]<void*, byte*, int, int> read, delegate* unmanaged[Cdecl]<void*, byte*, int, int> write,
        delegate* unmanaged[Cdecl]<void*, long, int, long> seek);
    [LibraryImport(Format)] public static partial void avio_context_free(void** context);
    [LibraryImport(Format)] public static partial void avio_flush(void* context);

    // libswscale
    [LibraryImport(Scale)] public static partial void* sws_getCachedContext(void* context, int sourceWidth, int sourceHeight, int sourceFormat,
        int targetWidth, int targetHeight, int targetFormat, int flags, void* sourceFilter, void* targetFilter, double* parameters);
    [LibraryImport(Scale)] public static partial int sws_scale(void* context, byte** source, int* sourceStrides, int sliceY, int sliceHeight, byte** target, int* targetStrides);
    [LibraryImport(Scale)] public static partial void sws_freeContext(void* context);

    /// <summary>FFmpeg's own text for an error code.</summary>
    public static string ErrorText(int error)
    {
        var buffer = stackalloc byte[128];
        return av_strerror(error, buffer, 128) == 0 ? Marshal.PtrToStringUTF8((nint)buffer) ?? $"error {error}" : $"error {error}";
    }

    private static readonly Lazy<string?> LoadFailure = new(() =>
    {
        try
        {
            NativeHeap.Configure();
            av_log_set_level(LogError);
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
    });

    /// <summary>
    /// Loads the libraries once (quiet below error level, as the ffmpeg commands ran with <c>-loglevel error</c>);
    /// throws a <see cref="Core.Video.MediaException"/> naming the package when they are missing.
    /// </summary>
    public static void EnsureLoaded()
    {
        if (LoadFailure.Value is { } failure)
            throw new Core.Video.MediaException($"FFmpeg 5.1's libraries (libavcodec59, libavformat59, libswscale6; Debian package ffmpeg) are not installed: {failure}");
    }
}
