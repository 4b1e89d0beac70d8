using DaprVideo.Core.Video;
using DaprVideo.Media.Capture;
using DaprVideo.Tests.Infrastructure;

namespace DaprVideo.Tests.Media.Capture;

/// <summary>
/// <see cref="ChunkCapture"/> reading a real RTSP camera (gst-rtsp-server, <see cref="RtspServerFixture"/>): H.264 and H.265,
/// without credentials and behind basic and digest authentication; a wrong password fails at once with a clear reason.
/// </summary>
[Trait("Speed", "Slow")]
[Collection(MediaClipsGroup.Name)]
public sealed class RtspCaptureTests(MediaClips clips)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData(RtspAuth.None, "h264")]
    [InlineData(RtspAuth.None, "h265")]
    [InlineData(RtspAuth.Basic, "h264")]
    [InlineData(RtspAuth.Digest, "h264")]
    [InlineData(RtspAuth.Digest, "h265")]
    public async Task A_camera_is_cut_into_contiguous_h264_chunks(RtspAuth auth, string mount)
    {
        await using var camera = await RtspServerFixture.StartNewAsync(auth);
        var scratch = clips.NewScratchDirectory();
        var capture = new ChunkCapture(VideoSource.Parse(camera.Url(mount)), scratch, new ChunkCaptureOptions { SegmentSeconds = 1 });

        var chunks = await TakeAsync(capture, 3);

        Assert.Equal([0L, 1L, 2L], chunks.Select(c => c.Sequence));
        Assert.All(chunks, c => Assert.False(c.Discontinuity));
        // H.264 with 1 s keyframes is copied, H.265 encoded once: chunks are H.264 at the camera's size either way.
        foreach (var chunk in chunks)
        {
            Assert.InRange(chunk.DurationSeconds, 0.9, 2.1);
            var path = Path.Combine(clips.Directory, $"rtsp-{Guid.NewGuid():N}.ts");
            await File.WriteAllBytesAsync(path, chunk.Bytes);
            Assert.Equal("h264,320,240", MediaClips.Ffprobe("-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", path));
        }
        for (var i = 1; i < chunks.Count; i++)
            Assert.True(chunks[i].Start >= chunks[i - 1].Start.AddSeconds(chunks[i - 1].DurationSeconds - 0.05), "chunks overlap in time");
    }

    [Theory]
    [InlineData(RtspAuth.Basic)]
    [InlineData(RtspAuth.Digest)]
    public async Task A_wrong_password_fails_at_once_with_the_cameras_answer_and_without_the_password(RtspAuth auth)
    {
        await using var camera = await RtspServerFixture.StartNewAsync(auth);
        const string wrong = "not-the-Pa55word";
        var capture = new ChunkCapture(VideoSource.Parse(camera.Url(password: wrong)), clips.NewScratchDirectory(),
            new ChunkCaptureOptions { SegmentSeconds = 1 });

        var e = await Assert.ThrowsAsync<MediaException>(() => TakeAsync(capture, 1));

        Assert.Contains("401 Unauthorized", e.Message, StringComparison.Ordinal);
        Assert.Contains($"rtsp://127.0.0.1:{camera.Port}/h264", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RtspServerFixture.User + ":", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    internal static async Task<List<ChunkFile>> TakeAsync(ChunkCapture capture, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var list = new List<ChunkFile>();
        await foreach (var chunk in capture.CaptureAsync(cancellationToken: cts.Token))
        {
            list.Add(chunk);
            if (list.Count == count) break;
        }
        return list;
    }
}
