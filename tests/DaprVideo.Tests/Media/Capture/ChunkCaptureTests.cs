using System.Globalization;
using DaprVideo.Core.Video;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Streams;
using DaprVideo.Media.Capture;
using DaprVideo.Media.Probing;

namespace DaprVideo.Tests.Media.Capture;

[Collection(MediaClipsGroup.Name)]
public sealed class ChunkCaptureTests(MediaClips clips)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Cuts_a_7s_h264_file_into_3_continuous_chunks_without_reencoding()
    {
        var scratch = clips.NewScratchDirectory();
        var progress = new List<CaptureProgress>();
        var capture = new ChunkCapture(VideoSource.Parse(clips.H264SevenSeconds), scratch, new ChunkCaptureOptions { SegmentSeconds = 3, FirstSequence = 10 });

        var chunks = await Collect(capture.CaptureAsync(new SyncProgress(progress.Add)));

        Assert.Equal([10L, 11L, 12L], chunks.Select(c => c.Sequence));
        const double frame = 1 / 25.0;
        Assert.Equal(3.0, chunks[0].DurationSeconds, frame);
        Assert.Equal(3.0, chunks[1].DurationSeconds, frame);
        Assert.Equal(1.0, chunks[2].DurationSeconds, frame);
        Assert.Equal(7.0, chunks.Sum(c => c.DurationSeconds), 3 * frame);
        for (var i = 1; i < chunks.Count; i++)
            Assert.Equal(chunks[i - 1].Start.AddSeconds(chunks[i - 1].DurationSeconds), chunks[i].Start, TimeSpan.FromMilliseconds(1));
        Assert.All(chunks, c => Assert.False(c.Discontinuity));
        Assert.Equal([75, 75, 25], chunks.Select(c => c.FrameCount));

        // Copied, not re-encoded: the chunks carry the source's own 1 s GOP (x264 default would be 250).
        foreach (var chunk in chunks)
        {
            var path = Path.Combine(clips.Directory, $"check-{Guid.NewGuid():N}.ts");
            await File.WriteAllBytesAsync(path, chunk.Bytes);
            var decoded = MediaClips.Ffprobe("-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,nb_read_frames", path);
            Assert.Equal($"h264,{chunk.FrameCount}", decoded);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        Assert.Equal(7.0, progress[0].SourceDurationSeconds!.Value, 0.05);
        Assert.Equal(1.0, progress[^1].Fraction!.Value, 0.05);
    }

    [Fact]
    public async Task A_resumed_recording_carries_on_its_own_timeline_not_the_wall_clock()
    {
        // A restarted Ingest continues a file from 3 s on; its first run went faster than real time, so the wall clock
        // now is not where its timeline is: the chunks start where the first run's timeline says.
        var scratch = clips.NewScratchDirectory();
        var timeline = new DateTimeOffset(2026, 12, 1, 8, 0, 3, TimeSpan.Zero);
        var capture = new ChunkCapture(VideoSource.Parse(clips.H264SevenSeconds), scratch,
            new ChunkCaptureOptions { SegmentSeconds = 3, FirstSequence = 1, StartSeconds = 3, FirstChunkStart = timeline });

        var chunks = await Collect(capture.CaptureAsync());

        Assert.Equal([1L, 2L], chunks.Select(c => c.Sequence));
        Assert.Equal(timeline, chunks[0].Start, TimeSpan.FromMilliseconds(1));
        Assert.Equal(timeline.AddSeconds(chunks[0].DurationSeconds), chunks[1].Start, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Encodes_a_source_it_cannot_copy_once_with_keyframes_on_the_segment_grid()
    {
        // MJPEG has no MPEG-TS stream type ffmpeg reads back, so it cannot be copied into chunks.
        var scratch = clips.NewScratchDirectory();
        var source = Path.Combine(clips.NewScratchDirectory(), "astronaut.mkv");
        MediaClips.Ffmpeg("-loop", "1", "-t", "2", "-framerate", "25", "-i", RepoPaths.Photo("astronaut.png"),
            "-vf", "scale=256:256", "-c:v", "mjpeg", "-q:v", "5", source);
        var capture = new ChunkCapture(VideoSource.Parse(source), scratch, new ChunkCaptureOptions { SegmentSeconds = 1 });

        var chunks = await Collect(capture.CaptureAsync());

        Assert.Equal(2, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(1.0, c.DurationSeconds, 1 / 25.0));
        var path = Path.Combine(clips.Directory, $"check-{Guid.NewGuid():N}.ts");
        await File.WriteAllBytesAsync(path, chunks[1].Bytes);
        Assert.Equal("h264,256,256", MediaClips.Ffprobe("-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
    }

    public static TheoryData<string, string[], string, double[]> CopiedSources => new()
    {
        // MPEG-4 Part 2 in AVI with a 2 s GOP at 10 fps, like street576.avi: cuts at the first keyframe after each 3 s.
        { "mpeg4.avi", ["-r", "10", "-c:v", "mpeg4", "-g", "20", "-bf", "0", "-q:v", "5", "-t", "8"], "mpeg4", [4, 2, 2] },
        // An HEVC camera with a 4 s closed GOP at 30 fps: longer than the 3 s segment, so each chunk is one GOP.
        { "hevc.mp4", ["-r", "30", "-c:v", "libx265", "-preset", "ultrafast", "-t", "12",
            "-x265-params", "keyint=120:min-keyint=120:scenecut=0:bframes=0:log-level=error"], "hevc", [4, 4, 4] },
        // MPEG-4 Part 2 in Matroska: its VOL header lives in the container, so each chunk gets one at its keyframe.
        { "mpeg4.mkv", ["-r", "25", "-c:v", "mpeg4", "-g", "25", "-q:v", "5", "-t", "5"], "mpeg4", [3, 2] },
        { "mpeg2.mp4", ["-r", "25", "-c:v", "mpeg2video", "-g", "25", "-t", "5"], "mpeg2video", [3, 2] },
    };

    [Theory]
    [MemberData(nameof(CopiedSources))]
    public async Task Copies_a_source_in_a_codec_chunks_carry_cut_on_its_own_keyframes(string name, string[] encode, string codec, double[] lengths)
    {
        var source = Path.Combine(clips.NewScratchDirectory(), name);
        MediaClips.Ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-pix_fmt", "yuv420p", .. encode, source]);
        var scratch = clips.NewScratchDirectory();
        var capture = new ChunkCapture(VideoSource.Parse(source), scratch, new ChunkCaptureOptions { SegmentSeconds = 3 });

        var chunks = await Collect(capture.CaptureAsync());

        var frame = 1 / (double)(codec == "hevc" ? 30 : name.EndsWith(".avi", StringComparison.Ordinal) ? 10 : 25);
        Assert.Equal(lengths, chunks.Select(c => Math.Round(c.DurationSeconds / frame) * frame).Select(d => Math.Round(d, 3)));
        Assert.Equal(lengths.Sum(), chunks.Sum(c => c.DurationSeconds), 1e-6);
        for (var i = 1; i < chunks.Count; i++)
            Assert.Equal(chunks[i - 1].Start.AddSeconds(chunks[i - 1].DurationSeconds), chunks[i].Start, TimeSpan.FromMilliseconds(1));
        Assert.Equal((int)Math.Round(lengths.Sum() / frame), chunks.Sum(c => c.FrameCount));
        foreach (var chunk in chunks)
        {
            // Stream-copied (the source's codec, not x264) and decodable on its own: every packet gives a frame.
            var path = Path.Combine(clips.Directory, $"check-{Guid.NewGuid():N}.ts");
            await File.WriteAllBytesAsync(path, chunk.Bytes);
            Assert.Equal(codec, (await new VideoProbe().ProbeAsync(chunk.Bytes)).Codec);
            var decoded = MediaClips.Ffprobe("-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", path);
            Assert.Equal(chunk.FrameCount.ToString(CultureInfo.InvariantCulture), decoded.Split(',')[0]);
        }

        // Chunks longer than SEGMENT_SECONDS keep the playlist lawful: its target duration covers each of them.
        var playlist = new StreamPlaylistState(StreamId.Parse("cam"), new PlaylistOptions { SegmentSeconds = 3 });
        foreach (var chunk in chunks) playlist.Add(new PlaylistSegment(chunk.Sequence, chunk.Start, chunk.DurationSeconds, false));
        playlist.End(chunks[^1].Sequence);
        var parsed = M3u8Parser.Parse(playlist.Render(PlaylistView.Vod));
        Assert.Equal((int)Math.Max(3, Math.Round(lengths.Max())), parsed.TargetDuration);
        Assert.Equal(chunks.Count, parsed.Segments.Count);
    }

    [Fact]
    public async Task A_looped_mpeg4_file_goes_on_past_its_first_loop()
    {
        // Copying it would need bitstream filters, which ffmpeg 5.1 shuts at the first loop's end: no chunk after it.
        var source = Path.Combine(clips.NewScratchDirectory(), "loop.avi");
        MediaClips.Ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-c:v", "mpeg4", "-g", "10", "-bf", "0", "-q:v", "5", "-t", "2", source]);
        var capture = new ChunkCapture(VideoSource.Parse(source).Looped(), clips.NewScratchDirectory(), new ChunkCaptureOptions { SegmentSeconds = 1 });

        var chunks = new List<ChunkFile>();
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (var chunk in capture.CaptureAsync().WithCancellation(cts.Token))
        {
            chunks.Add(chunk);
            if (chunks.Sum(c => c.DurationSeconds) >= 4.5) break; // past the second loop of the 2 s file
        }

        Assert.All(chunks, c => Assert.False(c.Discontinuity));
        for (var i = 1; i < chunks.Count; i++)
            Assert.Equal(chunks[i - 1].Sequence + 1, chunks[i].Sequence);
    }

    public static TheoryData<string, string[]> EncodedSources => new()
    {
        // B-frames in AVI carry no presentation times: the MPEG-TS muxer would refuse to copy them.
        { "bframes.avi", ["-r", "25", "-c:v", "mpeg4", "-g", "25", "-bf", "2", "-q:v", "5", "-t", "4"] },
        // x265's default open GOP: the frames shown before each keyframe but sent after it would start the next chunk undecodable.
        { "open-gop.mkv", ["-r", "25", "-c:v", "libx265", "-preset", "ultrafast", "-t", "4",
            "-x265-params", "keyint=27:min-keyint=27:b-adapt=0:bframes=3:open-gop=1:scenecut=0:log-level=error"] },
        // Keyframes 8 s apart: more than twice the segment length.
        { "long-gop.mp4", ["-r", "25", "-c:v", "libx264", "-preset", "ultrafast", "-g", "200", "-t", "9"] },
    };

    [Theory]
    [MemberData(nameof(EncodedSources))]
    public async Task Encodes_a_source_whose_chunks_would_not_stand_alone(string name, string[] encode)
    {
        var source = Path.Combine(clips.NewScratchDirectory(), name);
        MediaClips.Ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-pix_fmt", "yuv420p", .. encode, source]);
        var capture = new ChunkCapture(VideoSource.Parse(source), clips.NewScratchDirectory(), new ChunkCaptureOptions { SegmentSeconds = 3 });

        var chunks = await Collect(capture.CaptureAsync());

        Assert.All(chunks.SkipLast(1), c => Assert.Equal(3.0, c.DurationSeconds, 1e-6));
        Assert.Equal("h264", (await new VideoProbe().ProbeAsync(chunks[0].Bytes)).Codec);
    }

    [Theory]
    [InlineData(90, 180, 320)]
    [InlineData(180, 320, 180)]
    public async Task A_phones_rotated_recording_is_encoded_upright_not_copied_sideways(int rotate, int width, int height)
    {
        // H.264 with 1 s GOPs would be copied, but the container turns the picture (a phone held upright); MPEG-TS cannot
        // say so, so copied chunks would play (and be analysed) on their side.
        var scratch = clips.NewScratchDirectory();
        var landscape = Path.Combine(scratch, "landscape.mp4");
        var source = Path.Combine(scratch, "phone.mp4");
        MediaClips.Ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
            "-g", "25", "-t", "4", landscape]);
        MediaClips.Ffmpeg(["-i", landscape, "-c", "copy", "-metadata:s:v:0", $"rotate={rotate}", source]);
        var probed = await new VideoProbe().ProbeAsync(VideoSource.Parse(source), 4);
        Assert.NotEqual(0, probed.Rotation);
        Assert.False(StreamCopy.Suits(probed, 3));

        var capture = new ChunkCapture(VideoSource.Parse(source), clips.NewScratchDirectory(), new ChunkCaptureOptions { SegmentSeconds = 3 });
        var chunks = await Collect(capture.CaptureAsync());

        var chunk = await new VideoProbe().ProbeAsync(chunks[0].Bytes);
        Assert.Equal((width, height), (chunk.Format.Width, chunk.Format.Height));
        Assert.Equal(0, chunk.Rotation);
    }

    [Theory]
    [InlineData(nameof(MediaClips.NotVideo), "Invalid data found")]
    [InlineData(nameof(MediaClips.Empty), "Invalid data found")]
    [InlineData(nameof(MediaClips.Truncated), "moov atom not found")]
    public async Task Hostile_files_fail_with_ffmpegs_reason_on_one_line(string clip, string reason)
    {
        var path = (string)typeof(MediaClips).GetProperty(clip)!.GetValue(clips)!;
        var capture = new ChunkCapture(VideoSource.Parse(path), clips.NewScratchDirectory());

        var e = await Assert.ThrowsAsync<MediaException>(() => Collect(capture.CaptureAsync()));

        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task An_http_playlist_pointing_at_a_local_file_is_refused_by_ffmpeg()
    {
        // The target is real, readable video: only the protocol whitelist stands in the way.
        var playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXTINF:3.0,\n" +
                       $"file:{clips.ChunkThreeSeconds}\n#EXT-X-ENDLIST\n";
        await using var server = new LoopbackHttpServer((_, _) =>
            new LoopbackHttpServer.Response(200, "application/vnd.apple.mpegurl", System.Text.Encoding.ASCII.GetBytes(playlist)));
        var scratch = clips.NewScratchDirectory();
        var capture = new ChunkCapture(VideoSource.Parse(server.Url("/evil.m3u8")), scratch);

        var e = await Assert.ThrowsAsync<MediaException>(() => Collect(capture.CaptureAsync()));

        Assert.Contains("Protocol 'file' not on whitelist", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
    }

    [Fact]
    public async Task A_live_source_reconnects_marks_the_gap_and_continues_the_sequence()
    {
        // Each attempt is a probe plus an ffmpeg read: two good attempts, then the source is gone.
        var ts = await File.ReadAllBytesAsync(clips.ChunkThreeSeconds);
        await using var server = new LoopbackHttpServer((_, n) =>
            n < 4 ? new LoopbackHttpServer.Response(200, "video/mp2t", ts) : new LoopbackHttpServer.Response(404, "text/plain", "gone"u8.ToArray()));
        var options = new ChunkCaptureOptions
        {
            SegmentSeconds = 1,
            Live = true,
            Transcode = TranscodeMode.Always,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
            MaxReconnectAttempts = 0,
        };
        var capture = new ChunkCapture(VideoSource.Parse(server.Url("/cam.ts")), clips.NewScratchDirectory(), options);
        var chunks = new List<ChunkFile>();

        var e = await Assert.ThrowsAsync<MediaException>(async () =>
        {
            using var cts = new CancellationTokenSource(Timeout);
            await foreach (var chunk in capture.CaptureAsync(cancellationToken: cts.Token)) chunks.Add(chunk);
        });

        Assert.Contains("Gave up", e.Message, StringComparison.Ordinal);
        Assert.Contains("404", e.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), chunks.Select(c => c.Sequence));
        Assert.Equal([false, false, false, true, false, false], chunks.Select(c => c.Discontinuity));
    }

    [Fact]
    public async Task Cancelling_a_live_capture_kills_ffmpeg_and_leaves_no_files()
    {
        var scratch = clips.NewScratchDirectory();
        var capture = new ChunkCapture(VideoSource.Parse("testsrc:size=160x120:rate=10"), scratch, new ChunkCaptureOptions { SegmentSeconds = 0.5 });
        using var cts = new CancellationTokenSource(Timeout);
        ChunkFile? first = null;

        await foreach (var chunk in capture.CaptureAsync(cancellationToken: cts.Token))
        {
            first = chunk;
            break; // disposing the enumerator is how a consumer stops
        }

        Assert.NotNull(first);
        Assert.Equal(0.5, first.DurationSeconds, 0.1);
        Assert.Empty(FfmpegProcessesUsing(scratch));
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
    }

    private static List<int> FfmpegProcessesUsing(string scratch) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: Path.GetFileName(d), Dir: d))
            .Where(p => int.TryParse(p.Pid, CultureInfo.InvariantCulture, out _))
            .Where(p =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(p.Dir, "cmdline")).Contains(scratch, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
                catch (UnauthorizedAccessException)
                {
                    return false;
                }
            })
            .Select(p => int.Parse(p.Pid, CultureInfo.InvariantCulture))
            .ToList();

    private static async Task<List<ChunkFile>> Collect(IAsyncEnumerable<ChunkFile> chunks)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var list = new List<ChunkFile>();
        await foreach (var chunk in chunks.WithCancellation(cts.Token)) list.Add(chunk);
        return list;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the pool, racing the asserts).</summary>
    private sealed class SyncProgress(Action<CaptureProgress> report) : IProgress<CaptureProgress>
    {
        public void Report(CaptureProgress value) => report(value);
    }
}
