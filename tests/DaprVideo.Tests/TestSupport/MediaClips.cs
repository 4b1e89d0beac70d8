using System.Diagnostics;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// Small clips made once per test run with the real ffmpeg (lavfi testsrc and the repo's photos),
/// plus hostile files, in a private temp directory.
/// </summary>
public sealed class MediaClips : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "daprvideo-media-" + Guid.NewGuid().ToString("N"));

    /// <summary>7 s, 320x240, 25 fps H.264 with a keyframe every second (ingest copies it).</summary>
    public string H264SevenSeconds => Path.Combine(Directory, "testsrc-7s.mp4");

    /// <summary>2 s of a still photo as MPEG-4 Part 2 in Matroska, keyframes 0.48 s apart (ingest copies it).</summary>
    public string PhotoMpeg4 => Path.Combine(Directory, "astronaut-2s.mkv");

    /// <summary>3 s, 320x240, 25 fps MPEG-TS chunk as ingest produces.</summary>
    public string ChunkThreeSeconds => Path.Combine(Directory, "chunk-3s.ts");

    public string NotVideo => Path.Combine(Directory, "notes.mp4");

    public string Empty => Path.Combine(Directory, "empty.mp4");

    public string Truncated => Path.Combine(Directory, "truncated.mp4");

    public MediaClips()
    {
        System.IO.Directory.CreateDirectory(Directory);
        Ffmpeg("-f", "lavfi", "-i", "testsrc=duration=7:size=320x240:rate=25",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", H264SevenSeconds);
        Ffmpeg("-loop", "1", "-t", "2", "-framerate", "25", "-i", RepoPaths.Photo("astronaut.png"),
            "-vf", "scale=256:256", "-c:v", "mpeg4", "-q:v", "5", PhotoMpeg4);
        Ffmpeg("-f", "lavfi", "-i", "testsrc=duration=3:size=320x240:rate=25",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mpegts", ChunkThreeSeconds);
        File.WriteAllText(NotVideo, "These are meeting notes, not a video.\n");
        File.WriteAllBytes(Empty, []);
        var whole = File.ReadAllBytes(H264SevenSeconds);
        File.WriteAllBytes(Truncated, whole[..(whole.Length / 2)]);
    }

    /// <summary>Runs ffmpeg (trusted test arguments) and fails the test run if it fails.</summary>
    public static void Ffmpeg(params string[] args)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-y" }.Concat(args)) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed: {err}");
    }

    /// <summary>Runs ffprobe on a file and returns its csv output (distinct lines: TS repeats streams per program).</summary>
    public static string Ffprobe(params string[] args)
    {
        var info = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-of", "csv=p=0" }.Concat(args)) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var errTask = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffprobe failed: {errTask.Result}");
        return string.Join('\n', output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct());
    }

    public string NewScratchDirectory()
    {
        var dir = Path.Combine(Directory, "scratch-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MediaClipsGroup : ICollectionFixture<MediaClips>
{
    public const string Name = "Media";
}
