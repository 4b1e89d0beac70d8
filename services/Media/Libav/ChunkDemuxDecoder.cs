using System.Globalization;
using DaprVideo.Core.Video;
using static DaprVideo.Media.Libav.LibavNative;

namespace DaprVideo.Media.Libav;

/// <summary>
/// Demuxes one MPEG-TS chunk from memory and decodes its first video stream in this process, handing
/// out tightly packed frames at a constant rate: frame i is at i / fps, as <c>ffmpeg -fps_mode cfr</c>
/// makes them (a gap repeats the next picture, a surplus frame is dropped). Frames are converted
/// (and, for a size change mid-chunk, scaled) to the first frame's size, or to the forced format.
/// Not thread-safe: one consumer pulls frames in order.
/// </summary>
internal sealed unsafe class ChunkDemuxDecoder : IDisposable
{
    // A timestamp jump longer than this is a cut in the source, not a gap to fill with repeats.
    private const double LongestFilledGapSeconds = 5;

    private readonly MemoryInput _input;
    private readonly PixelFormat _pixelFormat;
    private readonly int _chunkLength;
    private void* _format;
    private void* _codec;
    private void* _packet;
    private void* _frame;
    private void* _scaler;
    private readonly int _stream;
    private readonly Rational _timeBase;
    private VideoFormat? _target;
    private readonly FrameRate _rate;
    private long? _firstTimestamp;
    private long _lastTimestamp = NoPts;
    private int _nextIndex;
    private byte[]? _repeat;
    private int _repeats;
    private bool _draining;
    private bool _done;

    public ChunkDemuxDecoder(ReadOnlyMemory<byte> chunk, VideoFormat? forced, PixelFormat pixelFormat, int threads)
    {
        EnsureLoaded();
        if (chunk.IsEmpty) throw new MediaException("Chunk is empty (0 bytes), not MPEG-TS video.");
        _chunkLength = chunk.Length;
        _pixelFormat = pixelFormat;
        _target = forced;
        _input = new MemoryInput(chunk);
        try
        {
            var format = avformat_alloc_context();
            if (format == null) throw new MediaException("FFmpeg is out of memory: avformat_alloc_context failed.");
            LibavLayout.SetIo(format, _input.Context);
            // On failure avformat_open_input frees the context it was given.
            Check(avformat_open_input(&format, null, av_find_input_format("mpegts"), null), "reading the chunk");
            _format = format;
            Check(avformat_find_stream_info(_format, null), "reading the chunk's streams");
            void* decoder = null;
            _stream = av_find_best_stream(_format, MediaTypeVideo, -1, -1, &decoder, 0);
            if (_stream < 0 || decoder == null) throw new MediaException($"Chunk of {_chunkLength} bytes holds no decodable video stream ({ErrorText(_stream)}).");
            var stream = LibavLayout.Stream(_format, _stream);
            _timeBase = LibavLayout.StreamTimeBase(stream);
            var guessed = forced?.FrameRate is { } f ? new Rational(f.Numerator, f.Denominator) : av_guess_frame_rate(_format, stream, null);
            if (guessed.Num <= 0 || guessed.Den <= 0 || (double)guessed.Num / guessed.Den > FrameRate.MaxFramesPerSecond)
                throw new MediaException($"Chunk of {_chunkLength} bytes has no usable frame rate ({guessed.Num}/{guessed.Den}).");
            _rate = new FrameRate(guessed.Num, guessed.Den);

            _codec = avcodec_alloc_context3(decoder);
            if (_codec == null) throw new MediaException("FFmpeg is out of memory: avcodec_alloc_context3 failed.");
            Check(avcodec_parameters_to_context(_codec, LibavLayout.StreamParameters(stream)), "setting up the decoder");
            LibavLayout.SetPacketTimeBase(_codec, _timeBase);
            LibavLayout.SetThreadCount(_codec, threads);
            Check(avcodec_open2(_codec, decoder, null), "opening the decoder");
            _packet = av_packet_alloc();
            _frame = av_frame_alloc();
            if (_packet == null || _frame == null) throw new MediaException("FFmpeg is out of memory: av_packet_alloc/av_frame_alloc failed.");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The next frame (the caller disposes it), or null at the end of the chunk.</summary>
    public DecodedFrame? Next(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_repeats > 0)
            {
                // The last repeat hands over the buffer itself.
                var last = --_repeats == 0;
                var pixels = _repeat!;
                if (last) _repeat = null;
                return Emit(pixels, copy: !last);
            }
            if (_done) return null;
            var received = avcodec_receive_frame(_codec, _frame);
            if (received == 0)
            {
                var frame = Place();
                av_frame_unref(_frame);
                if (frame is not null) return frame;
                continue;
            }
            if (received == ErrorEof)
            {
                _done = true;
                continue;
            }
            if (received != ErrorAgain) throw Failure(received, "decoding");
            Feed();
        }
    }

    /// <summary>Sends the next packet of our stream to the decoder; at the end of the chunk, the flush.</summary>
    private void Feed()
    {
        if (_draining)
        {
            // The decoder asked for input after the flush: nothing more will come.
            _done = true;
            return;
        }
        while (true)
        {
            var read = av_read_frame(_format, _packet);
            if (read < 0)
            {
                // End of the chunk, or a damaged tail: like the ffmpeg command, keep what was decoded.
                _draining = true;
                Check(avcodec_send_packet(_codec, null), "flushing the decoder");
                return;
            }
            try
            {
                if (LibavLayout.PacketStreamIndex(_packet) != _stream) continue;
                var sent = avcodec_send_packet(_codec, _packet);
                // Damaged packets are skipped, as the ffmpeg command does; anything else is fatal.
                if (sent < 0 && sent != ErrorAgain && sent != ErrorInvalidData) throw Failure(sent, "decoding");
                return;
            }
            finally
            {
                av_packet_unref(_packet);
            }
        }
    }

    /// <summary>Puts the decoded picture on the constant-rate grid: null when it falls on a slot already filled.</summary>
    private DecodedFrame? Place()
    {
        var timestamp = LibavLayout.FrameBestEffortTimestamp(_frame);
        if (timestamp == NoPts) timestamp = _lastTimestamp == NoPts ? 0 : _lastTimestamp + TicksPerFrame();
        _firstTimestamp ??= timestamp;
        var seconds = (timestamp - _firstTimestamp.Value) * (double)_timeBase.Num / _timeBase.Den;
        var slot = (long)Math.Round(seconds * _rate.FramesPerSecond, MidpointRounding.ToEven);
        if (slot - _nextIndex > LongestFilledGapSeconds * _rate.FramesPerSecond || slot < _nextIndex - LongestFilledGapSeconds * _rate.FramesPerSecond)
        {
            // A cut: restart the grid here.
            _firstTimestamp = timestamp - (long)Math.Round(_nextIndex / _rate.FramesPerSecond * _timeBase.Den / _timeBase.Num);
            slot = _nextIndex;
        }
        _lastTimestamp = timestamp;
        if (slot < _nextIndex) return null;
        var pixels = Pack();
        var gap = (int)(slot - _nextIndex);
        if (gap == 0) return Emit(pixels, copy: false);
        // The empty slots before this one show this picture too.
        _repeat = pixels;
        _repeats = gap;
        return Emit(pixels, copy: true);
    }

    private long TicksPerFrame() =>
        Math.Max(1, (long)Math.Round((double)_timeBase.Den * _rate.Denominator / ((double)_timeBase.Num * _rate.Numerator)));

    private DecodedFrame Emit(byte[] pixels, bool copy)
    {
        var format = _target!.Value;
        var size = ImageFrame.PackedSize(_pixelFormat, format.Width, format.Height);
        var buffer = pixels;
        if (copy)
        {
            buffer = FramePool.Shared.Rent(size);
            pixels.AsSpan(0, size).CopyTo(buffer);
        }
        var index = _nextIndex++;
        return new DecodedFrame(buffer, size, index, index * _rate.FrameDuration, format, _pixelFormat);
    }

    /// <summary>The decoded picture as tightly packed pixels of the target format, in a pooled buffer.</summary>
    private byte[] Pack()
    {
        var width = LibavLayout.FrameWidth(_frame);
        var height = LibavLayout.FrameHeight(_frame);
        var source = LibavLayout.FrameFormat(_frame);
        _target ??= new VideoFormat(width, height, _rate);
        var target = _target.Value;
        target.Validate();
        var size = ImageFrame.PackedSize(_pixelFormat, target.Width, target.Height);
        var buffer = FramePool.Shared.Rent(size);
        try
        {
            fixed (byte* output = buffer)
            {
                var planes = stackalloc byte*[4];
                var strides = stackalloc int[4];
                PackedPlanes.Describe(output, _pixelFormat, target.Width, target.Height, planes, strides);
                if (_pixelFormat == PixelFormat.I420 && source == PixelFormatYuv420P && width == target.Width && height == target.Height)
                {
                    // H.264's own layout: copy the planes row by row, nothing to convert.
                    var data = LibavLayout.FrameData(_frame);
                    var lines = LibavLayout.FrameLineSizes(_frame);
                    PackedPlanes.Copy(data[0], lines[0], planes[0], strides[0], width, height);
                    PackedPlanes.Copy(data[1], lines[1], planes[1], strides[1], strides[1], (height + 1) / 2);
                    PackedPlanes.Copy(data[2], lines[2], planes[2], strides[2], strides[2], (height + 1) / 2);
                }
                else
                {
                    var targetFormat = _pixelFormat switch
                    {
                        PixelFormat.I420 => PixelFormatYuv420P,
                        PixelFormat.Rgb24 => PixelFormatRgb24,
                        _ => PixelFormatBgra,
                    };
                    _scaler = sws_getCachedContext(_scaler, width, height, source, target.Width, target.Height, targetFormat, SwsBicubic, null, null, null);
                    if (_scaler == null) throw new MediaException($"Cannot convert {width}x{height} frames of pixel format {source} to {target.Width}x{target.Height} {_pixelFormat}.");
                    if (sws_scale(_scaler, LibavLayout.FrameData(_frame), LibavLayout.FrameLineSizes(_frame), 0, height, planes, strides) <= 0)
                        throw new MediaException($"Converting a {width}x{height} frame failed.");
                }
            }
            return buffer;
        }
        catch
        {
            FramePool.Shared.Return(buffer);
            throw;
        }
    }

    private MediaException Failure(int error, string step) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Decoding a chunk of {_chunkLength} bytes failed while {step}: {ErrorText(error)}"));

    private void Check(int result, string step)
    {
        if (result < 0) throw Failure(result, step);
    }

    public void Dispose()
    {
        if (_repeat is not null) FramePool.Shared.Return(_repeat);
        _repeat = null;
        _repeats = 0;
        var frame = _frame;
        if (frame != null) av_frame_free(&frame);
        _frame = null;
        var packet = _packet;
        if (packet != null) av_packet_free(&packet);
        _packet = null;
        var codec = _codec;
        if (codec != null) avcodec_free_context(&codec);
        _codec = null;
        var format = _format;
        if (format != null) avformat_close_input(&format);
        _format = null;
        if (_scaler != null) sws_freeContext(_scaler);
        _scaler = null;
        _input.Dispose();
    }
}
