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
    public async Task A_camera_is_cut_into_contiguous_chunks_of_its_own_codec(RtspAuth auth, string mount)
    {
        await using var camera = await RtspServerFixture.StartNewAsync(auth);
        var scratch = clips.NewScratchDirectory();
        var capture = new ChunkCapture(VideoSource.Parse(camera.Url(mount)), scratch, new ChunkCaptureOptions { SegmentSeconds = 1 });

        var chunks = await TakeAsync(capture, 3);

        Assert.Equal([0L, 1L, 2L], chunks.Select(c => c.Sequence));
        Assert.All(chunks, c => Assert.False(c.Discontinuity));
        // H.264 and H.265 with 1 s keyframes (closed GOPs, no B-frames) are both copied: chunks carry the camera's own codec and size.
        foreach (var chunk in chunks)
        {
            Assert.InRange(chunk.DurationSeconds, 0.9, 2.1);
            var path = Path.Combine(clips.Directory, $"rtsp-{Guid.NewGuid():N}.ts");
            await File.WriteAllBytesAsync(path, chunk.Bytes);
            Assert.Equal(mount == "h265" ? "hevc,320,240" : "h264,320,240", MediaClips.Ffprobe("-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", path));
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

    [Fact]
    public async Task A_camera_is_read_over_udp_when_asked()
    {
        await using var camera = await RtspServerFixture.StartNewAsync();
        var scratch = clips.NewScratchDirectory();
        var capture = new ChunkCapture(VideoSource.Parse(camera.Url()), scratch,
            new ChunkCaptureOptions { SegmentSeconds = 1, RtspTransport = DaprVideo.Media.Ffmpeg.RtspTransport.Udp });
        var seen = new List<string>();

        var chunks = await TakeAsync(capture, 3, () => seen.AddRange(ProcessArguments.Containing(scratch)));

        Assert.Equal([0L, 1L, 2L], chunks.Select(c => c.Sequence));
        Assert.Contains(seen, a => a.Contains("-rtsp_transport udp ", StringComparison.Ordinal));
        Assert.DoesNotContain(seen, a => a.Contains("-rtsp_transport tcp", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(RtspAuth.Digest)]
    [InlineData(RtspAuth.Basic)]
    public async Task Credentials_and_query_tokens_never_appear_in_ffmpegs_arguments(RtspAuth auth)
    {
        await using var camera = await RtspServerFixture.StartNewAsync(auth);
        const string token = "tok-7f3a9c";
        var scratch = clips.NewScratchDirectory();
        var capture = new ChunkCapture(VideoSource.Parse(camera.Url() + "?token=" + token), scratch, new ChunkCaptureOptions { SegmentSeconds = 1 });
        var seen = new List<string>();

        // Sampled every poll from the start, so the probe's ffprobe is seen as well as the capturing ffmpeg.
        var chunks = await TakeAsync(capture, 2, () => seen.AddRange(ProcessArguments.Containing(scratch)));

        Assert.Equal(2, chunks.Count);
        Assert.Contains(seen, a => a.StartsWith("ffprobe ", StringComparison.Ordinal));
        Assert.Contains(seen, a => a.StartsWith("ffmpeg ", StringComparison.Ordinal));
        Assert.All(seen, a =>
        {
            Assert.DoesNotContain(RtspServerFixture.Password, a, StringComparison.Ordinal);
            Assert.DoesNotContain(token, a, StringComparison.Ordinal);
            Assert.DoesNotContain(RtspServerFixture.User, a, StringComparison.Ordinal);
        });
        // ffmpeg read its input script long before the first chunk: it is gone while the capture goes on.
        Assert.Empty(Directory.EnumerateFiles(scratch, "*.ffconcat"));
    }

    /// <param name="poll">Run every 20 ms while the capture runs (on the test's thread, between chunks too).</param>
    internal static async Task<List<ChunkFile>> TakeAsync(ChunkCapture capture, int count, Action? poll = null)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var list = new List<ChunkFile>();
        await using var chunks = capture.CaptureAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        while (list.Count < count)
        {
            var next = chunks.MoveNextAsync().AsTask();
            while (poll is not null && !next.IsCompleted)
            {
                poll();
                await Task.WhenAny(next, Task.Delay(20)); // sampling a running process, not a synchronisation sleep
            }
            if (!await next) break;
            list.Add(chunks.Current);
        }
        return list;
    }
}
