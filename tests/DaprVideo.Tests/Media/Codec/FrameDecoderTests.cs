using DaprVideo.Core.Video;
using DaprVideo.Media.Codec;

namespace DaprVideo.Tests.Media.Codec;

[Collection(MediaClipsGroup.Name)]
public sealed class FrameDecoderTests(MediaClips clips)
{
    [Theory]
    [InlineData(PixelFormat.Bgra32, 4)]
    [InlineData(PixelFormat.Rgb24, 3)]
    public async Task Decodes_every_frame_of_a_chunk_at_the_source_size(PixelFormat format, int bytesPerPixel)
    {
        var chunk = await File.ReadAllBytesAsync(clips.ChunkThreeSeconds);
        var decoder = new FrameDecoder();
        var indexes = new List<int>();
        var pts = new List<double>();

        await foreach (var frame in decoder.DecodeAsync(chunk, format))
        {
            using (frame)
            {
                Assert.Equal((320, 240), (frame.Width, frame.Height));
                Assert.Equal(320 * 240 * bytesPerPixel, frame.Pixels.Length);
                Assert.Equal(25, frame.Format.FrameRate.FramesPerSecond);
                frame.AsImageFrame().Validate();
                indexes.Add(frame.Index);
                pts.Add(frame.PtsSeconds);
            }
        }

        Assert.Equal(Enumerable.Range(0, 75), indexes);
        Assert.Equal(2.96, pts[^1], 1e-9);
    }

    [Fact]
    public async Task Decoded_pixels_are_the_picture_not_noise()
    {
        // testsrc's top-left is a solid colour bar region; a frame is mostly non-black and varied.
        var chunk = await File.ReadAllBytesAsync(clips.ChunkThreeSeconds);
        await foreach (var frame in new FrameDecoder().DecodeAsync(chunk))
        {
            using (frame)
            {
                var px = frame.Pixels.ToArray();
                Assert.All(Enumerable.Range(0, 320 * 240).Where(i => i % 997 == 0), i => Assert.Equal(255, px[i * 4 + 3]));
                Assert.True(Enumerable.Range(0, 320 * 240).Select(i => px[i * 4] + px[i * 4 + 1] * 3 + px[i * 4 + 2] * 7).Distinct().Count() > 8);
            }
            break;
        }
    }

    [Fact]
    public async Task Garbage_and_empty_chunks_fail_clearly()
    {
        var decoder = new FrameDecoder();
        var garbage = "not a transport stream"u8.ToArray();

        var e = await Assert.ThrowsAsync<MediaException>(async () =>
        {
            await foreach (var frame in decoder.DecodeAsync(garbage)) frame.Dispose();
        });
        Assert.DoesNotContain('\n', e.Message);

        await Assert.ThrowsAsync<MediaException>(async () =>
        {
            await foreach (var frame in decoder.DecodeAsync(ReadOnlyMemory<byte>.Empty)) frame.Dispose();
        });
    }
}
