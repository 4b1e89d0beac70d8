namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// Two persons crossing: 10 s, 640x360, 25 fps H.264 of the astronaut photo (cropped to the person, 158x220 px: the
/// size SSDLite finds it at with a score of 0.55-0.95) twice, walking towards each other over a blurred motorcycle photo.
/// "front" walks right in front of "back", who walks left 90 px higher; they cross at t = 5 s, their photos overlapping
/// from t ≈ 3.5 to 6.5 s. Checked with the real detector: where the photos overlap by more than ~60% only one person
/// (or two weak ones, below 0.5) is found, so "back" is hidden for about a second and must be picked up again by its
/// motion, across the chunk boundary at 6 s (SEGMENT_SECONDS 3). Rendered once per test run.
/// </summary>
public static class CrossingClip
{
    private static readonly (int X, int Y, int W, int H) Person = (0, 0, 370, 512);

    public static MovingPhotoScene Scene { get; } = new("crossing", "motorcycle_left.png", 640, 360, 25, 10,
    [
        new MovingPhoto("back", "astronaut.png", "person", 158, 220, X0: 500, Vx: -52, Y0: 40, Vy: 0, Enter: 0.4, Leave: 9.6, Person, Mirror: true),
        new MovingPhoto("front", "astronaut.png", "person", 158, 220, X0: -30, Vx: 54, Y0: 130, Vy: 0, Enter: 0.6, Leave: 9.4, Person),
    ]);

    private static readonly Lazy<Task<string>> Rendered = new(() => SceneFiles.RenderAsync(Scene));

    /// <summary>The clip's path (rendered on first use, removed when the test process exits).</summary>
    public static Task<string> PathAsync() => Rendered.Value;
}
