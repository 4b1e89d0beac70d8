using System.Globalization;
using DaprVideo.Media.Codec;
using DaprVideo.Core.Video;
using static DaprVideo.Media.Libav.LibavNative;

namespace DaprVideo.Media.Libav;

/// <summary>
/// Encodes packed frames with libx264 through libavcodec and muxes them into one MPEG-TS segment in
/// memory, in this process. What the former <c>ffmpeg -f rawvideo -i pipe:0 -c:v libx264 ... -f mpegts</c>
/// run did, minus the process: presentation times are frame index / fps shifted by the given offset
/// (<c>-output_ts_offset</c>), no mux delay (<c>-muxdelay 0</c>: the first PCR is the first frame's time),
/// and each stream's first packet flags the discontinuity (<c>-mpegts_flags +initial_discontinuity</c>).
/// Not thread-safe: one producer writes frames in order.
/// </summary>
internal sealed unsafe class TsSegmentWriter : IDisposable
{
    private readonly VideoFormat _format;
    private readonly PixelFormat _pixelFormat;
    private bool _disposed;
    private readonly int _width;
    private readonly int _height;
    private readonly long _offsetTicks;
    private readonly MemoryOutput _output = new();
    private readonly Rational _codecTimeBase;
    private Rational _muxTimeBase;
    private void* _codec;
    private void* _mux;
    private void* _frame;
    private void* _packet;
    private void* _scaler;
    private long _frames;

    public TsSegmentWriter(VideoFormat format, PixelFormat pixelFormat, double offsetSeconds, string preset, int crf, int gop, int threads)
    {
        EnsureLoaded();
        _format = format;
        _pixelFormat = pixelFormat;
        // x264's 4:2:0 needs even sides (as the command's scale=trunc(iw/2)*2:trunc(ih/2)*2).
        _width = format.Width & ~1;
        _height = format.Height & ~1;
        if (_width == 0 || _height == 0) throw new MediaException($"Video size {format.Width}x{format.Height} is too small to encode.");
        _codecTimeBase = new Rational(format.FrameRate.Denominator, format.FrameRate.Numerator);
        try
        {
            var encoder = avcodec_find_encoder_by_name("libx264");
            if (encoder == null) throw new MediaException("This FFmpeg has no libx264 encoder (Debian: libavcodec59 with libx264-164).");
            _codec = avcodec_alloc_context3(encoder);
            if (_codec == null) throw new MediaException("FFmpeg is out of memory: avcodec_alloc_context3 failed.");
            LibavLayout.SetPicture(_codec, _width, _height, PixelFormatYuv420P);
            LibavLayout.SetTimeBase(_codec, _codecTimeBase);
            LibavLayout.SetFrameRate(_codec, new Rational(format.FrameRate.Numerator, format.FrameRate.Denominator));
            LibavLayout.SetGopSize(_codec, gop);
            LibavLayout.SetThreadCount(_codec, threads);
            void* options = null;
            try
            {
                av_dict_set(&options, "preset", preset, 0);
                av_dict_set(&options, "crf", crf.ToString(CultureInfo.InvariantCulture), 0);
                if (X264Presets.Overrides(preset) is { } overrides) av_dict_set(&options, "x264-params", overrides, 0);
                Check(avcodec_open2(_codec, encoder, &options), "opening libx264");
            }
            finally
            {
                av_dict_free(&options);
            }

            void* mux = null;
            Check(avformat_alloc_output_context2(&mux, null, "mpegts", null), "creating the MPEG-TS muxer");
            _mux = mux;
            LibavLayout.SetIo(_mux, _output.Context);
            LibavLayout.SetMaxDelay(_mux, 0);
            var stream = avformat_new_stream(_mux, null);
            if (stream == null) throw new MediaException("FFmpeg is out of memory: avformat_new_stream failed.");
            Check(avcodec_parameters_from_context(LibavLayout.StreamParameters(stream), _codec), "describing the stream");
            LibavLayout.SetStreamTimeBase(stream, _codecTimeBase);
            void* muxOptions = null;
            try
            {
                av_dict_set(&muxOptions, "mpegts_flags", "+initial_discontinuity", 0);
                Check(avformat_write_header(_mux, &muxOptions), "writing the MPEG-TS header");
            }
            finally
            {
                av_dict_free(&muxOptions);
            }
            _muxTimeBase = LibavLayout.StreamTimeBase(stream); // the muxer's own clock (90 kHz)
            _offsetTicks = (long)Math.Round(offsetSeconds * _muxTimeBase.Den / _muxTimeBase.Num);

            _frame = av_frame_alloc();
            _packet = av_packet_alloc();
            if (_frame == null || _packet == null) throw new MediaException("FFmpeg is out of memory: av_frame_alloc/av_packet_alloc failed.");
            LibavLayout.SetFramePicture(_frame, _width, _height, PixelFormatYuv420P);
            Check(av_frame_get_buffer(_frame, 0), "allocating a frame");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public PixelFormat PixelFormat => _pixelFormat;

    /// <summary>Encodes one tightly packed frame of the format and pixel format given at construction.</summary>
    public void Write(ReadOnlySpan<byte> pixels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // The encoder may still hold the previous picture: then this gives us a fresh buffer.
        Check(av_frame_make_writable(_frame), "preparing a frame");
        fixed (byte* input = pixels)
        {
            var planes = stackalloc byte*[4];
            var strides = stackalloc int[4];
            PackedPlanes.Describe(input, _pixelFormat, _format.Width, _format.Height, planes, strides);
            var source = _pixelFormat switch
            {
                PixelFormat.I420 => PixelFormatYuv420P,
                PixelFormat.Rgb24 => PixelFormatRgb24,
                _ => PixelFormatBgra,
            };
            var data = LibavLayout.FrameData(_frame);
            var lines = LibavLayout.FrameLineSizes(_frame);
            if (source == PixelFormatYuv420P && _width == _format.Width && _height == _format.Height)
            {
                PackedPlanes.Copy(planes[0], strides[0], data[0], lines[0], _width, _height);
                PackedPlanes.Copy(planes[1], strides[1], data[1], lines[1], _width / 2, _height / 2);
                PackedPlanes.Copy(planes[2], strides[2], data[2], lines[2], _width / 2, _height / 2);
            }
            else
            {
                _scaler = sws_getCachedContext(_scaler, _format.Width, _format.Height, source, _width, _height, PixelFormatYuv420P, SwsBicubic, null, null, null);
                if (_scaler == null) throw new MediaException($"Cannot convert {_format.Width}x{_format.Height} {_pixelFormat} frames for the encoder.");
                if (sws_scale(_scaler, planes, strides, 0, _format.Height, data, lines) <= 0)
                    throw new MediaException("Converting a frame for the encoder failed.");
            }
        }
        LibavLayout.SetFramePts(_frame, _frames++);
        Check(avcodec_send_frame(_codec, _frame), "encoding");
        WritePackets();
    }

    /// <summary>Flushes the encoder, closes the segment and returns its bytes.</summary>
    public byte[] Finish()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Check(avcodec_send_frame(_codec, null), "flushing the encoder");
        WritePackets();
        Check(av_write_trailer(_mux), "closing the segment");
        return _output.ToArray();
    }

    private void WritePackets()
    {
        while (true)
        {
            var received = avcodec_receive_packet(_codec, _packet);
            if (received == ErrorAgain || received == ErrorEof) return;
            Check(received, "encoding");
            try
            {
                av_packet_rescale_ts(_packet, _codecTimeBase, _muxTimeBase);
                LibavLayout.ShiftPacket(_packet, _offsetTicks);
                LibavLayout.SetPacketStreamIndex(_packet, 0);
                Check(av_write_frame(_mux, _packet), "muxing");
            }
            finally
            {
                av_packet_unref(_packet);
            }
        }
    }

    private static void Check(int result, string step)
    {
        if (result < 0) throw new MediaException($"Encoding a segment failed while {step}: {ErrorText(result)}");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var frame = _frame;
        if (frame != null) av_frame_free(&frame);
        _frame = null;
        var packet = _packet;
        if (packet != null) av_packet_free(&packet);
        _packet = null;
        var codec = _codec;
        if (codec != null) avcodec_free_context(&codec);
        _codec = null;
        if (_mux != null) avformat_free_context(_mux);
        _mux = null;
        if (_scaler != null) sws_freeContext(_scaler);
        _scaler = null;
        _output.Dispose();
    }
}
