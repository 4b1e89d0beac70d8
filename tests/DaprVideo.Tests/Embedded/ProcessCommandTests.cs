using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DaprVideo.Core;
using DaprVideo.Core.Search;
using DaprVideo.Media.Drawing;
using DaprVideo.Tests.Media.Capture;
using DaprVideo.Tests.Media.Codec;

namespace DaprVideo.Tests.Embedded;

/// <summary>The whole embedded pipeline on a real clip: real ffmpeg, the real model, real files.</summary>
[Trait("Speed", "Slow")]
public class ProcessCommandTests(ProcessedClipFixture clip) : IClassFixture<ProcessedClipFixture>
{
    private M3u8Playlist Playlist => M3u8Parser.Parse(File.ReadAllText(Path.Combine(clip.StreamDir, "index.m3u8")));

    private List<DetectionLine> Detections => File.ReadAllLines(Path.Combine(clip.StreamDir, "detections.jsonl"))
        .Select(l => JsonSerializer.Deserialize(l, CoreJsonContext.Default.DetectionLine)!)
        .ToList();

    [Fact]
    public void Succeeds_and_says_what_it_wrote()
    {
        Assert.True(clip.ExitCode == 0, clip.Stderr);
        Assert.Contains("index.m3u8: 3 segments", clip.Stdout);
        Assert.Contains("progress: ", clip.Stderr);
    }

    [Fact]
    public void Writes_a_complete_vod_playlist_with_relative_segments()
    {
        var playlist = Playlist;
        Assert.Equal("VOD", playlist.PlaylistType);
        Assert.True(playlist.EndList);
        Assert.Equal(3, playlist.Segments.Count);
        Assert.All(playlist.Segments, s => Assert.Matches(@"^segments/\d{6}\.ts$", s.Uri));
        // Within one frame per segment of the source.
        Assert.InRange(playlist.TotalDuration, PhotoClip.DurationSeconds - 3.0 / PhotoClip.Fps, PhotoClip.DurationSeconds + 3.0 / PhotoClip.Fps);
        Assert.Empty(Directory.GetDirectories(clip.StreamDir, "chunks")); // raw chunks are removed once annotated
    }

    [Fact]
    public void Every_segment_decodes_with_all_its_frames_and_timestamps_run_on()
    {
        var starts = new List<double>();
        foreach (var segment in Playlist.Segments)
        {
            var path = Path.Combine(clip.StreamDir, segment.Uri);
            var frames = int.Parse(MediaClips.Ffprobe("-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", path), CultureInfo.InvariantCulture);
            Assert.Equal((int)Math.Round(segment.Duration * PhotoClip.Fps), frames);
            starts.Add(double.Parse(MediaClips.Ffprobe("-show_entries", "format=start_time", path), CultureInfo.InvariantCulture));
        }
        for (var i = 1; i < starts.Count; i++)
            Assert.Equal(starts[i - 1] + PhotoClip.SecondsPerPhoto, starts[i], 2);
    }

    [Fact]
    public void Detections_name_what_is_on_screen_when()
    {
        var lines = Detections;
        // DETECT_FPS 5 over 9 s: 45 analysed frames, in time order, each 0.2 s apart.
        Assert.Equal(45, lines.Count);
        Assert.Equal(lines.OrderBy(l => l.T).Select(l => l.T), lines.Select(l => l.T));
        foreach (var line in lines)
        {
            var expected = PhotoClip.LabelAt(line.T);
            Assert.True(line.Detections.Any(d => d.Label == expected), $"t={line.T}: expected {expected}, got {string.Join(",", line.Detections.Select(d => d.Label))}");
            Assert.Equal((long)(line.T / PhotoClip.SecondsPerPhoto), line.Sequence);
        }
    }

    [Fact]
    public void The_drawn_box_is_in_the_output_frame_where_the_detection_says()
    {
        const double t = 4.08; // the cup scene; boxes of the frame analysed at 4.0 hold until 4.2
        var cup = Detections.Single(l => Math.Abs(l.T - 4.0) < 1e-6).Detections.Single(d => d.Label == "cup");
        var output = FrameAt(Path.Combine(clip.StreamDir, "index.m3u8"), t);
        var source = FrameAt(clip.Source, t);

        var colour = FrameAnnotator.ColorFor(cup.ClassId);
        var x = (int)Math.Round(cup.Box.X * PhotoClip.Width);
        var y = (int)Math.Round((cup.Box.Y + cup.Box.H / 2) * PhotoClip.Height);
        var width = FrameAnnotator.LineWidth(PhotoClip.Width, PhotoClip.Height);
        // On the left edge of the box (within the stroke) the output has the class colour, the source does not.
        var onEdge = Enumerable.Range(x - width, 2 * width + 1).Any(px => Near(Pixel(output, px, y), colour, 60));
        Assert.True(onEdge, $"no {colour} stroke near x={x}, y={y}");
        Assert.False(Near(Pixel(source, x, y), colour, 60));
        // Well inside the box the picture is left alone.
        var inside = ((int)((cup.Box.X + cup.Box.W / 2) * PhotoClip.Width), y);
        Assert.True(Near(Pixel(output, inside.Item1, inside.y), Pixel(source, inside.Item1, inside.y), 40));
    }

    private static (byte R, byte G, byte B) Pixel(byte[] rgb, int x, int y)
    {
        var i = (y * PhotoClip.Width + x) * 3;
        return (rgb[i], rgb[i + 1], rgb[i + 2]);
    }

    private static bool Near((byte R, byte G, byte B) a, SkiaSharp.SKColor b, int tolerance) => Near(a, (b.Red, b.Green, b.Blue), tolerance);

    private static bool Near((byte R, byte G, byte B) a, (byte R, byte G, byte B) b, int tolerance) =>
        Math.Abs(a.R - b.R) <= tolerance && Math.Abs(a.G - b.G) <= tolerance && Math.Abs(a.B - b.B) <= tolerance;

    private static byte[] FrameAt(string input, double seconds)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-ss", seconds.ToString(CultureInfo.InvariantCulture), "-i", input,
                     "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        using var buffer = new MemoryStream();
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.BaseStream.CopyTo(buffer);
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err.Result);
        Assert.Equal(PhotoClip.Width * PhotoClip.Height * 3, buffer.Length);
        return buffer.ToArray();
    }
}
