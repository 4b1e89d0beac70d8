namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// A minute of street: six persons (the astronaut photo cropped to the person, 200-240 px tall, mirrored when walking
/// left) walk in from one side and out at the other at 35-70 px/s over a blurred photo, one diagonally, one to three in
/// view at a time; three pairs cross (at about 12, 33 and 50 s), the nearer one (lower in the frame) in front.
/// 640x360, 25 fps H.264. Each starts just outside the frame: x(t) = X0 + Vx·t with x(Enter) = -width or 640.
/// </summary>
public static class StreetClip
{
    private static readonly (int X, int Y, int W, int H) Person = (0, 0, 370, 512);

    private static MovingPhoto Walker(string name, int height, double y0, double vy, double enter, double vx)
    {
        var width = (int)Math.Round(height * 370.0 / 512);
        var x0 = (vx > 0 ? -width : 640) - vx * enter;
        var leave = enter + (640 + width) / Math.Abs(vx);
        return new MovingPhoto(name, "astronaut.png", "person", width, height, x0, vx, y0, vy, enter, leave, Person, Mirror: vx < 0);
    }

    /// <summary>Back to front where they cross: p2 behind p1 and p3, p4 behind p3, p5 behind p6.</summary>
    public static MovingPhotoScene Scene { get; } = new("street", "coffee.png", 640, 360, 25, 60,
    [
        Walker("p2", 230, 40, 0, 8, -45),
        Walker("p4", 240, 10, 0, 28, -70),
        Walker("p1", 220, 130, 0, 2, 60),
        Walker("p3", 200, 150, 0, 20, 35),
        Walker("p5", 210, 340, -5, 40, 50),
        Walker("p6", 220, 120, 0, 44, -55),
    ]);

    private static readonly Lazy<Task<string>> Rendered = new(() => SceneFiles.RenderAsync(Scene));

    public static Task<string> PathAsync() => Rendered.Value;
}
