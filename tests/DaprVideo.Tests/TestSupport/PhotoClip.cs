using DaprVideo.Media.Capture;

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

    public static Task MakeAsync(string path) =>
        StillsClip.CreateAsync([.. Scenes.Select(s => RepoPaths.Photo(s.Photo))], path, SecondsPerPhoto, Width, Height);

    /// <summary>The label shown at stream time <paramref name="t"/>.</summary>
    public static string LabelAt(double t) => Scenes[Math.Min((int)(t / SecondsPerPhoto), Scenes.Length - 1)].Label;
}
