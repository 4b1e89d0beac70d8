using DaprVideo.Core.Video;
using DaprVideo.Media.Probing;

namespace DaprVideo.Tests.Media.Probing;

[Collection(MediaClipsGroup.Name)]
public sealed class TransportStreamTimingTests(MediaClips clips)
{
    /// <summary>
    /// Real chunks cut by ffmpeg's segment muxer from a stream-copied source, as ingest makes them; B-frames on where
    /// the encoder has them, so presentation order differs from stream order (HEVC: open GOP, leading pictures in the next chunk).
    /// </summary>
    [Theory]
    [InlineData("libx264", "h264", new[] { "-preset", "ultrafast", "-bf", "2", "-g", "25" })]
    [InlineData("libx265", "hevc", new[] { "-preset", "ultrafast", "-x265-params", "keyint=27:min-keyint=27:b-adapt=0:bframes=3:open-gop=1:scenecut=0:log-level=error" })]
    [InlineData("mpeg4", "mpeg4", new[] { "-bf", "2", "-g", "25", "-q:v", "5" })]
    [InlineData("mpeg2video", "mpeg2video", new[] { "-bf", "2", "-g", "25" })]
    public async Task Agrees_with_ffprobe_on_real_chunks(string encoder, string codec, string[] encoderArgs)
    {
        var chunks = Chunks(encoder, encoderArgs, rate: 25, seconds: 7);
        Assert.True(chunks.Count >= 3);

        foreach (var chunk in chunks)
        {
            var probed = await new VideoProbe().ProbeAsync(chunk);
            var read = TransportStreamTiming.Read(chunk);

            Assert.Equal(codec, read.Codec);
            Assert.Equal(probed.PacketCount, read.FrameCount);
            Assert.Equal(probed.StartSeconds, read.StartSeconds, 1e-6);
            Assert.Equal(probed.SpanSeconds, read.SpanSeconds, 1e-6);
        }
        var timings = chunks.Select(c => TransportStreamTiming.Read(c)).ToList();
        for (var i = 1; i < timings.Count; i++)
            Assert.Equal(timings[i - 1].StartSeconds + timings[i - 1].SpanSeconds, timings[i].StartSeconds, 1e-6);
        Assert.Equal(7.0, timings.Sum(t => t.SpanSeconds), 1e-6);
    }

    [Fact]
    public void A_chunk_across_the_33_bit_wrap_stays_monotonic_and_later_ones_continue_the_timeline()
    {
        // 2^33 ticks of 90 kHz = 95443.717 s. A 3 s GOP starting at 95438 s (+ the muxer's 1.4 s delay): chunk 0 ends
        // before the wrap, chunk 1 crosses it, chunk 2 lies wholly after it (ffprobe shows these as negative, then small).
        const double wrap = 8589934592 / 90000.0;
        var chunks = Chunks("libx264", ["-preset", "ultrafast", "-g", "75"], rate: 25, seconds: 9, "-output_ts_offset", "95438");
        Assert.Equal(3, chunks.Count);
        var first = TransportStreamTiming.Read(chunks[0]);
        Assert.Equal(3.0, first.SpanSeconds, 1e-6);
        Assert.InRange(first.StartSeconds, 95438, 95440.5);

        var across = TransportStreamTiming.Read(chunks[1], expectedStartSeconds: first.StartSeconds + first.SpanSeconds);
        Assert.Equal((3.0, 75), (Math.Round(across.SpanSeconds, 6), across.FrameCount));
        Assert.Equal(first.StartSeconds + 3.0, across.StartSeconds, 1e-6);
        Assert.InRange(wrap, across.StartSeconds, across.StartSeconds + across.SpanSeconds);
        // It starts before the wrap, so without the expected start it reads the same.
        Assert.Equal(across, TransportStreamTiming.Read(chunks[1]));

        var raw = TransportStreamTiming.Read(chunks[2]);
        Assert.Equal(across.StartSeconds + 3.0 - wrap, raw.StartSeconds, 1e-6);
        var placed = TransportStreamTiming.Read(chunks[2], expectedStartSeconds: across.StartSeconds + across.SpanSeconds);
        Assert.Equal(across.StartSeconds + 3.0, placed.StartSeconds, 1e-6);
        Assert.Equal(3.0, placed.SpanSeconds, 1e-6);
    }

    [Fact]
    public void A_single_frame_takes_its_duration_from_the_hint()
    {
        var path = Path.Combine(clips.NewScratchDirectory(), "one.ts");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "1", "-c:v", "libx264", "-f", "mpegts", path);
        var bytes = File.ReadAllBytes(path);

        Assert.Equal(0.1, TransportStreamTiming.Read(bytes, frameSecondsHint: 0.1).SpanSeconds, 1e-9);
        Assert.Equal(1, TransportStreamTiming.Read(bytes, frameSecondsHint: 0.1).FrameCount);
        var e = Assert.Throws<MediaException>(() => TransportStreamTiming.Read(bytes));
        Assert.Contains("single frame", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "empty", "empty (0 bytes)" },
        { "text", "not whole 188-byte MPEG-TS packets" },
        { "truncated-mid-packet", "188-byte MPEG-TS packets (100 bytes over)" },
        { "lost-sync", "lost MPEG-TS sync at byte 1880" },
        { "headers-only", "has no timed video frames" },
        { "no-pat", "no readable program association table" },
        { "bad-pat-crc", "no readable program association table" },
        { "audio-only", "has no video stream" },
        { "transport-error", "transport error flagged at byte 0" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_fails_with_one_clear_line(string kind, string reason)
    {
        var good = File.ReadAllBytes(clips.ChunkThreeSeconds);
        byte[] bytes = kind switch
        {
            "empty" => [],
            "text" => "These are meeting notes, not a video.\n"u8.ToArray(),
            "truncated-mid-packet" => good[..(188 * 40 + 100)],
            "lost-sync" => Corrupt(good, 1880, 0x00),
            "headers-only" => good.Chunk(188).Where(p => Pid(p) is 0 or 0x11 or 0x1000).SelectMany(p => p).ToArray(),
            "no-pat" => good.Chunk(188).Where(p => Pid(p) != 0).SelectMany(p => p).ToArray(),
            "bad-pat-crc" => good.Chunk(188).SelectMany(p => Pid(p) == 0 ? Corrupt(p, 20, (byte)(p[20] ^ 0xFF)) : p).ToArray(),
            "audio-only" => AudioOnly(),
            "transport-error" => Corrupt(good, 1, (byte)(good[1] | 0x80)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var e = Assert.Throws<MediaException>(() => TransportStreamTiming.Read(bytes));

        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Every_prefix_of_a_chunk_reads_or_fails_with_a_media_exception()
    {
        // Cut anywhere (a writer that died mid-chunk): never another exception type, never a wrong frame count.
        var good = File.ReadAllBytes(clips.ChunkThreeSeconds);
        var whole = TransportStreamTiming.Read(good);
        for (var length = 0; length <= good.Length; length += 188 * 7 + 13)
        {
            try
            {
                var part = TransportStreamTiming.Read(good.AsSpan(0, length), frameSecondsHint: 0.04);
                Assert.InRange(part.FrameCount, 1, whole.FrameCount);
                Assert.Equal(whole.StartSeconds, part.StartSeconds, 1e-9);
            }
            catch (MediaException)
            {
                // expected for most cuts
            }
        }
    }

    private List<byte[]> Chunks(string encoder, string[] encoderArgs, int rate, int seconds, params string[] outputArgs)
    {
        var dir = clips.NewScratchDirectory();
        var source = Path.Combine(dir, "source.mkv");
        MediaClips.Ffmpeg([
            "-f", "lavfi", "-i", $"testsrc=duration={seconds}:size=320x240:rate={rate}", "-pix_fmt", "yuv420p",
            "-c:v", encoder, .. encoderArgs, source,
        ]);
        MediaClips.Ffmpeg([
            "-i", source, "-c:v", "copy", .. encoder is "mpeg4" or "mpeg2video" ? new[] { "-bsf:v", "dump_extra=freq=keyframe" } : [],
            .. outputArgs, "-f", "segment", "-segment_time", "3", "-segment_format", "mpegts", Path.Combine(dir, "chunk-%03d.ts"),
        ]);
        return Directory.GetFiles(dir, "chunk-*.ts").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
    }

    private byte[] AudioOnly()
    {
        var path = Path.Combine(clips.NewScratchDirectory(), "tone.ts");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "mp2", "-f", "mpegts", path);
        return File.ReadAllBytes(path);
    }

    private static int Pid(byte[] packet) => ((packet[1] & 0x1F) << 8) | packet[2];

    private static byte[] Corrupt(byte[] bytes, int at, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] = value;
        return copy;
    }
}
