using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Codec;
using DaprVideo.Media.Drawing;
using DaprVideo.Media.Probing;

namespace DaprVideo.Tests.Media.Codec;

[Collection(MediaClipsGroup.Name)]
public sealed class SegmentEncoderTests(MediaClips clips)
{
    [Fact]
    public async Task Decode_annotate_encode_gives_h264_ts_starting_at_the_stream_offset()
    {
        var chunk = await File.ReadAllBytesAsync(clips.ChunkThreeSeconds);
        var decoder = new FrameDecoder();
        var info = await new VideoProbe().ProbeAsync(chunk);
        using var annotator = new FrameAnnotator();
        var encoder = new SegmentEncoder();
        var box = new Detection("person", 1, 0.9f, new BoundingBox(0.1f, 0.2f, 0.3f, 0.4f));

        await using var segment = encoder.Start(info.Format, PixelFormat.Bgra32, streamOffsetSeconds: 6.0);
        await foreach (var frame in decoder.DecodeAsync(chunk, info.Format))
        {
            using (frame)
            {
                annotator.Annotate(frame, [box]);
                await segment.WriteFrameAsync(frame);
            }
        }
        var bytes = await segment.CompleteAsync();

        var path = Path.Combine(clips.Directory, $"segment-{Guid.NewGuid():N}.ts");
        await File.WriteAllBytesAsync(path, bytes);
        Assert.Equal("mpegts", MediaClips.Ffprobe("-show_entries", "format=format_name", path));
        Assert.Equal("h264,320,240,75", MediaClips.Ffprobe("-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames", path));
        var first = MediaClips.Ffprobe("-select_streams", "v:0", "-show_entries", "frame=pts_time,pict_type",
            "-read_intervals", "%+#1", path).Split('\n')[0].Trim().Split(',');
        Assert.Contains("16.000000", first); // stream time 6 s on a clock that starts at TimelineOriginSeconds
        Assert.Contains("I", first);
        var reinfo = await new VideoProbe().ProbeAsync(bytes);
        Assert.Equal(SegmentEncoder.TimelineOriginSeconds + 6.0, reinfo.StartSeconds, 1e-6);
        Assert.Equal(3.0, reinfo.SpanSeconds, 1e-6);
    }

    [Fact]
    public async Task Wrong_frame_size_and_bad_offsets_are_refused()
    {
        var encoder = new SegmentEncoder(new SegmentEncoderOptions { Preset = "ultrafast" });
        var format = new VideoFormat(64, 48, new FrameRate(25, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Start(format, PixelFormat.Bgra32, double.NaN));
        await using var segment = encoder.Start(format, PixelFormat.Bgra32, 0);
        await Assert.ThrowsAsync<ArgumentException>(() => segment.WriteFrameAsync(new byte[10]));
        Assert.Throws<ArgumentException>(() => new SegmentEncoder(new SegmentEncoderOptions { Preset = "fast; rm -rf /" }));
    }

    [Fact]
    public async Task A_segment_starts_each_stream_with_the_discontinuity_indicator()
    {
        var chunk = await File.ReadAllBytesAsync(clips.ChunkThreeSeconds);
        var info = await new VideoProbe().ProbeAsync(chunk);
        await using var segment = new SegmentEncoder().Start(info.Format, PixelFormat.Bgra32, streamOffsetSeconds: 0);
        var written = 0;
        await foreach (var frame in new FrameDecoder().DecodeAsync(chunk, info.Format))
        {
            using (frame)
            {
                if (written++ < 5) await segment.WriteFrameAsync(frame);
            }
        }
        var bytes = await segment.CompleteAsync();

        // ISO/IEC 13818-1 2.4.3.2: 188-byte packets, sync byte 0x47; the first packet of the video PES carries an
        // adaptation field (adaptation_field_control 2 or 3) whose flags byte has discontinuity_indicator (0x80).
        Assert.True(bytes.Length >= 188 && bytes.Length % 188 == 0, $"{bytes.Length} bytes is not whole TS packets");
        for (var at = 0; at < bytes.Length; at += 188)
        {
            var packet = bytes.AsSpan(at, 188);
            Assert.Equal(0x47, packet[0]);
            var unitStart = (packet[1] & 0x40) != 0;
            var adaptation = (packet[3] >> 4) & 0x3;
            var payload = adaptation is 2 or 3 ? 5 + packet[4] : 4;
            var startsPes = unitStart && adaptation is 1 or 3 && payload + 3 <= 188
                && packet[payload] == 0 && packet[payload + 1] == 0 && packet[payload + 2] == 1;
            if (!startsPes) continue;
            Assert.True(adaptation is 2 or 3, "the first PES packet has no adaptation field");
            Assert.True(packet[4] > 0, "the adaptation field is empty");
            Assert.True((packet[5] & 0x80) != 0, "discontinuity_indicator is not set on the first PES packet");
            return;
        }
        Assert.Fail("no PES packet in the segment");
    }
}
