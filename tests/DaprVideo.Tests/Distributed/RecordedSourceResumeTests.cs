using DaprVideo.Core.Video;
using DaprVideo.Media.Capture;
using DaprVideo.Tests.Media.Capture;
using DaprVideo.Tests.Media.Codec;

namespace DaprVideo.Tests.Distributed;

/// <summary>A resumed recorded source continues where it stopped (input seek), with sequences after the stored ones.</summary>
public sealed class RecordedSourceResumeTests
{
    [Fact]
    public async Task Capture_from_an_offset_yields_only_the_rest_of_the_file_from_the_next_sequence()
    {
        using var tmp = new TempDirectory();
        var clip = tmp.File("six.mp4");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", "testsrc=duration=6:size=160x120:rate=25", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", clip);
        Directory.CreateDirectory(tmp.File("scratch"));
        var capture = new ChunkCapture(VideoSource.Parse(clip), tmp.File("scratch"),
            new ChunkCaptureOptions { SegmentSeconds = 1, FirstSequence = 4, StartSeconds = 4 });

        var chunks = new List<ChunkFile>();
        await foreach (var chunk in capture.CaptureAsync()) chunks.Add(chunk);

        Assert.Equal(4, chunks[0].Sequence);
        Assert.Equal(Enumerable.Range(4, chunks.Count).Select(i => (long)i), chunks.Select(c => c.Sequence));
        Assert.InRange(chunks.Sum(c => c.DurationSeconds), 1.5, 2.6); // the last ~2 s of 6, not all of it
    }
}
