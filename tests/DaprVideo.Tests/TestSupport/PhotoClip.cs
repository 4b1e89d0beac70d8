using DaprVideo.Tests.Media;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// A 640x360, 25 fps H.264 clip made with ffmpeg from the bundled photos, each shown for
/// <see cref="SecondsPerPhoto"/> seconds: chelsea (cat), coffee (cup), motorcycle_left (motorcycle).
/// </summary>
public static class PhotoClip
{
    public const int Width = 640;
    public const int Height = 360;
    public const int Fps = 25;
    public const double SecondsPerPhoto = 3;

    public static readonly (string Photo, string Label)[] Scenes =
        [("chelsea.png", "cat"), ("coffee.png", "cup"), ("motorcycle_left.png", "motorcycle")];

    public static double DurationSeconds => Scenes.Length * SecondsPerPhoto;

    public static void Make(string path, int keyframeEveryFrames = Fps)
    {
        var args = new List<string>();
        foreach (var (photo, _) in Scenes)
            args.AddRange(["-loop", "1", "-t", SecondsPerPhoto.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", RepoPaths.Photo(photo)]);
        var scale = string.Concat(Scenes.Select((_, i) => $"[{i}]scale={Width}:{Height},setsar=1,fps={Fps}[v{i}];"));
        var inputs = string.Concat(Scenes.Select((_, i) => $"[v{i}]"));
        args.AddRange(["-filter_complex", $"{scale}{inputs}concat=n={Scenes.Length}:v=1",
            "-c:v", "libx264", "-preset", "veryfast", "-g", keyframeEveryFrames.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-pix_fmt", "yuv420p", path]);
        MediaClips.Ffmpeg([.. args]);
    }

    /// <summary>The label shown at stream time <paramref name="t"/>.</summary>
    public static string LabelAt(double t) => Scenes[Math.Min((int)(t / SecondsPerPhoto), Scenes.Length - 1)].Label;
}
