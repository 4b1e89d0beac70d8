using System.Globalization;
using DaprVideo.Core.Video;
using DaprVideo.Media.Ffmpeg;

namespace DaprVideo.Media.Capture;

/// <summary>
/// Makes an H.264 clip that shows each of a few still photos for a while, letterboxed to one size:
/// the demo stream of <c>serve</c>, so a first run shows boxes on real objects.
/// </summary>
public static class StillsClip
{
    public static async Task CreateAsync(IReadOnlyList<string> photos, string output, double secondsEach = 5, int width = 1280, int height = 720,
        FfmpegTools? tools = null, CancellationToken cancellationToken = default)
    {
        if (photos.Count == 0) throw new ArgumentException("No photos for the clip.", nameof(photos));
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-y" };
        foreach (var photo in photos)
            args.AddRange(["-loop", "1", "-framerate", "25", "-t", secondsEach.ToString(CultureInfo.InvariantCulture), "-i", photo]);
        var filters = string.Concat(photos.Select((_, i) => string.Create(CultureInfo.InvariantCulture,
            $"[{i}]scale={width}:{height}:force_original_aspect_ratio=decrease,pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25[v{i}];")));
        var inputs = string.Concat(photos.Select((_, i) => $"[v{i}]"));
        args.AddRange(["-filter_complex", $"{filters}{inputs}concat=n={photos.Count}:v=1",
            "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-pix_fmt", "yuv420p", "-movflags", "+faststart", output]);

        await using var ffmpeg = FfmpegProcess.Start((tools ?? FfmpegTools.Default).Ffmpeg, args);
        if (await ffmpeg.WaitForExitAsync(cancellationToken) != 0)
            throw new MediaException($"Could not make the clip {output}: {ffmpeg.LastError}");
    }
}
