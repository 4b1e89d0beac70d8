using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Codec;
using DaprVideo.Media.Drawing;
using DaprVideo.Media.Probing;

namespace DaprVideo.Tests.Media.Codec;

/// <summary>
/// The I420 path end to end on real ffmpeg: decoding without ffprobe, the YUV -> RGB maths the
/// detector sees against ffmpeg's own conversion, and boxes drawn into the planes surviving x264.
/// </summary>
[Collection(MediaClipsGroup.Name)]
public sealed class I420FrameTests(MediaClips clips)
{
    [Fact]
    public async Task Decodes_every_frame_as_planes_learning_the_format_from_the_stream()
    {
        var chunk = await File.ReadAllBytesAsync(clips.ChunkThreeSeconds);
        var indexes = new List<int>();
        var pts = new List<double>();

        await foreach (var frame in new FrameDecoder().DecodeAsync(chunk, PixelFormat.I420))
        {
            using (frame)
            {
                Assert.Equal((320, 240, PixelFormat.I420), (frame.Width, frame.Height, frame.PixelFormat));
                Assert.Equal(320 * 240 * 3 / 2, frame.Pixels.Length);
                Assert.Equal(new FrameRate(25, 1), frame.Format.FrameRate);
                frame.AsImageFrame().Validate();
                indexes.Add(frame.Index);
                pts.Add(frame.PtsSeconds);
            }
        }

        Assert.Equal(Enumerable.Range(0, 75), indexes);
        Assert.Equal(2.96, pts[^1], 1e-9);
    }

    [Fact]
    public async Task Garbage_fails_clearly_without_a_probe()
    {
        var e = await Assert.ThrowsAsync<MediaException>(async () =>
        {
            await foreach (var frame in new FrameDecoder().DecodeAsync("not a transport stream"u8.ToArray(), PixelFormat.I420)) frame.Dispose();
        });
        Assert.DoesNotContain('\n', e.Message);
        await Assert.ThrowsAsync<MediaException>(async () =>
        {
            await foreach (var frame in new FrameDecoder().DecodeAsync(ReadOnlyMemory<byte>.Empty, PixelFormat.I420)) frame.Dispose();
        });
    }

    [Theory]
    [InlineData(640, 360)] // same size: the bare conversion
    [InlineData(300, 300)] // the detector's input: resampling and conversion
    public async Task Yuv_to_rgb_matches_ffmpeg_on_a_real_photo(int width, int height)
    {
        var chunk = await PhotoChunkAsync(640, 360);
        var decoder = new FrameDecoder();
        var format = (await new VideoProbe().ProbeAsync(chunk)).Format;
        var fromI420 = new byte[width * height * 3];
        var fromRgb = new byte[width * height * 3];
        await using (var planes = decoder.DecodeAsync(chunk, format, PixelFormat.I420).GetAsyncEnumerator())
        {
            Assert.True(await planes.MoveNextAsync());
            using var frame = planes.Current;
            FrameResizer.ResizeToRgb(frame.AsImageFrame(), width, height, fromI420);
        }
        await using (var packed = decoder.DecodeAsync(chunk, format, PixelFormat.Rgb24).GetAsyncEnumerator())
        {
            Assert.True(await packed.MoveNextAsync());
            using var frame = packed.Current;
            FrameResizer.ResizeToRgb(frame.AsImageFrame(), width, height, fromRgb);
        }

        var diffs = fromI420.Zip(fromRgb, (a, b) => Math.Abs(a - b)).Order().ToList();
        var mean = diffs.Average();
        var p99 = diffs[(int)(diffs.Count * 0.99)];
        // ffmpeg upsamples chroma its own way, so sharp colour edges differ a little; the bulk must agree.
        Assert.True(mean < 1.5, $"mean difference {mean:F2}");
        Assert.True(p99 <= 12, $"99th percentile difference {p99}");
    }

    [Fact]
    public async Task Boxes_drawn_in_the_planes_show_in_the_class_colour_after_encoding()
    {
        var chunk = await PhotoChunkAsync(640, 360);
        var decoder = new FrameDecoder();
        using var annotator = new FrameAnnotator();
        var cat = new Detection("cat", 17, 0.9f, new BoundingBox(0.25f, 0.3f, 0.5f, 0.5f));
        var encoder = new SegmentEncoder();
        SegmentEncoding? segment = null;
        try
        {
            await foreach (var frame in decoder.DecodeAsync(chunk, PixelFormat.I420))
            {
                using (frame)
                {
                    segment ??= encoder.Start(frame.Format, PixelFormat.I420, 0);
                    annotator.Annotate(frame, [cat]);
                    await segment.WriteFrameAsync(frame);
                }
            }
            Assert.NotNull(segment);
            var bytes = await segment.CompleteAsync();
            var rgb = await FirstFrameRgbAsync(bytes, 640, 360);

            var colour = FrameAnnotator.ColorFor(17);
            var line = FrameAnnotator.LineWidth(640, 360);
            const int left = 160, midY = 198; // box from x=160, y=108 to x=480, y=288
            for (var x = left; x < left + line; x++)
                Assert.True(Near(Pixel(rgb, 640, x, midY), (colour.Red, colour.Green, colour.Blue), 40), $"x={x}: {Pixel(rgb, 640, x, midY)} vs {colour}");
            // The caption band above the box carries the class colour too.
            Assert.True(Near(Pixel(rgb, 640, left + 1, 108 - 3), (colour.Red, colour.Green, colour.Blue), 40));
        }
        finally
        {
            if (segment is not null) await segment.DisposeAsync();
        }
    }

    private async Task<byte[]> PhotoChunkAsync(int width, int height)
    {
        var path = Path.Combine(clips.Directory, $"photo-{width}x{height}.ts");
        if (!File.Exists(path))
        {
            var tmp = path + "." + Guid.NewGuid().ToString("N");
            MediaClips.Ffmpeg("-loop", "1", "-t", "0.2", "-framerate", "25", "-i", RepoPaths.Photo("chelsea.png"),
                "-vf", $"scale={width}:{height},setsar=1", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "10", "-pix_fmt", "yuv420p", "-f", "mpegts", tmp);
            File.Move(tmp, path, overwrite: true);
        }
        return await File.ReadAllBytesAsync(path);
    }

    private static async Task<byte[]> FirstFrameRgbAsync(byte[] segment, int width, int height)
    {
        var decoder = new FrameDecoder();
        var format = (await new VideoProbe().ProbeAsync(segment)).Format;
        await foreach (var frame in decoder.DecodeAsync(segment, format, PixelFormat.Rgb24))
        {
            using (frame) return frame.Pixels.ToArray();
        }
        throw new InvalidOperationException($"no frame in the {width}x{height} segment");
    }

    private static (byte R, byte G, byte B) Pixel(byte[] rgb, int width, int x, int y)
    {
        var i = (y * width + x) * 3;
        return (rgb[i], rgb[i + 1], rgb[i + 2]);
    }

    private static bool Near((byte R, byte G, byte B) a, (byte R, byte G, byte B) b, int tolerance) =>
        Math.Abs(a.R - b.R) <= tolerance && Math.Abs(a.G - b.G) <= tolerance && Math.Abs(a.B - b.B) <= tolerance;
}
