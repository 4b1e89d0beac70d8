using System.Globalization;
using DaprVideo.Core.Video;
using DaprVideo.Media.Codec;

namespace DaprVideo.Tests.Media.Codec;

/// <summary>
/// The in-process decoder reads what capture stream-copies (not only H.264) and puts frames on the same constant-rate
/// grid as <c>ffmpeg -fps_mode cfr</c>: the frame counts are checked against the ffmpeg command on the same bytes.
/// </summary>
[Collection(MediaClipsGroup.Name)]
public sealed class FrameDecoderCodecTests(MediaClips clips)
{
    [Theory]
    [InlineData("mpeg4", "320x240", "10", "yuv420p")]
    [InlineData("libx265", "320x240", "30", "yuv420p")]
    [InlineData("mpeg2video", "352x288", "25", "yuv420p")]
    [InlineData("mpeg4", "321x241", "30000/1001", "yuv420p")] // odd sides
    [InlineData("libx264", "320x240", "25", "yuv444p")] // converted to 4:2:0
    public async Task Decodes_chunks_of_other_codecs_to_the_frames_ffmpeg_makes(string codec, string size, string rate, string pixelFormat)
    {
        var dir = clips.NewScratchDirectory();
        var chunk = Path.Combine(dir, "chunk.ts");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", $"testsrc=duration=3:size={size}:rate={rate}", "-c:v", codec, "-pix_fmt", pixelFormat, "-f", "mpegts", chunk);
        var bytes = await File.ReadAllBytesAsync(chunk);
        var expected = FfmpegFrameCount(chunk);
        var (width, height) = ParseSize(size);

        var count = 0;
        await foreach (var frame in new FrameDecoder().DecodeAsync(bytes, PixelFormat.I420))
        {
            using (frame)
            {
                Assert.Equal((width, height), (frame.Width, frame.Height));
                Assert.Equal(ImageFrame.PackedSize(PixelFormat.I420, width, height), frame.Pixels.Length);
                Assert.Equal(rate, frame.Format.FrameRate.ToString());
                Assert.Equal(count, frame.Index);
                count++;
            }
        }
        Assert.Equal(expected, count);
    }

    [Fact]
    public async Task A_source_with_dropped_frames_comes_out_at_a_constant_rate()
    {
        // Every third frame missing (a camera dropping frames): the grid is filled, as ffmpeg -fps_mode cfr fills it.
        var dir = clips.NewScratchDirectory();
        var chunk = Path.Combine(dir, "gappy.ts");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", "testsrc=duration=3:size=320x240:rate=25", "-vf", "select='not(eq(mod(n\\,3)\\,2))'",
            "-fps_mode", "passthrough", "-c:v", "libx264", "-f", "mpegts", chunk);
        var bytes = await File.ReadAllBytesAsync(chunk);

        var pts = new List<double>();
        await foreach (var frame in new FrameDecoder().DecodeAsync(bytes, PixelFormat.I420))
        {
            using (frame) pts.Add(frame.PtsSeconds);
        }

        Assert.Equal(FfmpegFrameCount(chunk), pts.Count);
        Assert.InRange(pts.Count, 73, 75); // 3 s at 25 fps, not the 50 pictures the chunk holds
        Assert.All(pts.Select((t, i) => (t, i)), p => Assert.Equal(p.i / 25.0, p.t, 1e-9));
    }

    [Fact]
    public async Task Stopping_early_and_cancelling_release_the_decoder()
    {
        var bytes = await File.ReadAllBytesAsync(clips.ChunkThreeSeconds);
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var frame in new FrameDecoder().DecodeAsync(bytes, PixelFormat.I420, cancel.Token))
            {
                frame.Dispose();
                if (++seen == 5) await cancel.CancelAsync();
            }
        });
        Assert.Equal(5, seen);

        // Many decoders opened and left early do not pile up: each is closed when its enumeration ends.
        for (var i = 0; i < 50; i++)
        {
            await foreach (var frame in new FrameDecoder().DecodeAsync(bytes, PixelFormat.I420))
            {
                frame.Dispose();
                break;
            }
        }
    }

    private static int FfmpegFrameCount(string chunk)
    {
        // What the decoder replaced: ffmpeg's constant-rate output of the chunk, counted.
        var dir = Path.GetDirectoryName(chunk)!;
        var y4m = Path.Combine(dir, "frames.y4m");
        MediaClips.Ffmpeg("-i", chunk, "-map", "0:v:0", "-fps_mode", "cfr", "-f", "yuv4mpegpipe", "-pix_fmt", "yuv420p", y4m);
        var text = MediaClips.Ffprobe("-count_frames", "-show_entries", "stream=nb_read_frames", y4m);
        return int.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    private static (int Width, int Height) ParseSize(string size)
    {
        var parts = size.Split('x');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
