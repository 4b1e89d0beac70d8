using System.Diagnostics;
using System.Globalization;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// One photo moving over a scene on a straight path: top-left corner at (<see cref="X0"/> + <see cref="Vx"/>·t,
/// <see cref="Y0"/> + <see cref="Vy"/>·t) in pixels, shown while <see cref="Enter"/> ≤ t ≤ <see cref="Leave"/>.
/// <see cref="Crop"/> (x, y, w, h in the photo's pixels) keeps the part the detector should see, then it is scaled to
/// <see cref="Width"/>x<see cref="Height"/> (and mirrored when <see cref="Mirror"/>).
/// </summary>
public sealed record MovingPhoto(
    string Name, string Photo, string Label, int Width, int Height,
    double X0, double Vx, double Y0, double Vy, double Enter, double Leave,
    (int X, int Y, int W, int H)? Crop = null, bool Mirror = false)
{
    /// <summary>The photo's rectangle in pixels at <paramref name="t"/> (null while it is not shown); may reach out of the frame.</summary>
    public (double X, double Y, double W, double H)? RectAt(double t) =>
        t < Enter - 1e-9 || t > Leave + 1e-9 ? null : (X0 + Vx * t, Y0 + Vy * t, Width, Height);

    /// <summary>How much of the photo is inside a <paramref name="frameWidth"/>x<paramref name="frameHeight"/> frame at <paramref name="t"/> (0..1).</summary>
    public double VisibleFraction(double t, int frameWidth, int frameHeight)
    {
        if (RectAt(t) is not { } r) return 0;
        var w = Math.Max(0, Math.Min(r.X + r.W, frameWidth) - Math.Max(r.X, 0));
        var h = Math.Max(0, Math.Min(r.Y + r.H, frameHeight) - Math.Max(r.Y, 0));
        return w * h / (r.W * r.H);
    }

    /// <summary>The photo's rectangle clipped to the frame, relative to its size (the detector's coordinates), or null.</summary>
    public (double X, double Y, double W, double H)? RelativeRectAt(double t, int frameWidth, int frameHeight)
    {
        if (RectAt(t) is not { } r || VisibleFraction(t, frameWidth, frameHeight) <= 0) return null;
        var x0 = Math.Max(r.X, 0);
        var y0 = Math.Max(r.Y, 0);
        var x1 = Math.Min(r.X + r.W, frameWidth);
        var y1 = Math.Min(r.Y + r.H, frameHeight);
        return (x0 / frameWidth, y0 / frameHeight, (x1 - x0) / frameWidth, (y1 - y0) / frameHeight);
    }
}

/// <summary>
/// A synthetic scene with ground truth: <see cref="Actors"/> (later ones in front) moving over a blurred
/// <see cref="Background"/> photo, rendered with ffmpeg's overlay filter (x/y expressions of t) to H.264 at
/// <see cref="Fps"/> fps with a keyframe every second. overlay works in yuv444 here so positions are not rounded to
/// even pixels: the ground truth is exact to below a pixel (overlay truncates x and y to integers).
/// </summary>
public sealed record MovingPhotoScene(string Name, string Background, int Width, int Height, int Fps, double DurationSeconds,
    IReadOnlyList<MovingPhoto> Actors)
{
    /// <summary>Renders the scene to <paramref name="path"/>; <paramref name="photoDirectory"/> holds the photos.</summary>
    public Task RenderAsync(string photoDirectory, string path, CancellationToken cancellationToken = default)
    {
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-y" };
        args.AddRange(["-loop", "1", "-framerate", I(Fps), "-i", Path.Combine(photoDirectory, Background)]);
        foreach (var a in Actors) args.AddRange(["-loop", "1", "-framerate", I(Fps), "-i", Path.Combine(photoDirectory, a.Photo)]);
        var graph = new List<string>
        {
            // Blurred well past recognition: the background must not be detected as anything.
            $"[0:v]scale={Width}:{Height},setsar=1,boxblur=20:2,format=yuv444p[s0]",
        };
        for (var i = 0; i < Actors.Count; i++)
        {
            var a = Actors[i];
            var crop = a.Crop is { } c ? $"crop={c.W}:{c.H}:{c.X}:{c.Y}," : "";
            var mirror = a.Mirror ? "hflip," : "";
            graph.Add($"[{i + 1}:v]{crop}{mirror}scale={a.Width}:{a.Height},setsar=1,format=yuv444p[p{i}]");
            graph.Add($"[s{i}][p{i}]overlay=x='{D(a.X0)}+{D(a.Vx)}*t':y='{D(a.Y0)}+{D(a.Vy)}*t':eval=frame:format=yuv444" +
                $":enable='between(t,{D(a.Enter)},{D(a.Leave)})'[s{i + 1}]");
        }
        graph.Add($"[s{Actors.Count}]format=yuv420p[out]");
        args.AddRange(["-filter_complex", string.Join(';', graph), "-map", "[out]", "-t", D(DurationSeconds), "-r", I(Fps),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", I(Fps), "-pix_fmt", "yuv420p", path]);
        return RunFfmpegAsync(args, cancellationToken);
    }

    /// <summary>The actor shown at stream time <paramref name="t"/> whose rectangle is (relatively) <paramref name="box"/>'s best overlap, or null.</summary>
    public MovingPhoto? ActorAt(double t, (double X, double Y, double W, double H) box, double minIou)
    {
        MovingPhoto? best = null;
        var bestIou = minIou;
        foreach (var a in Actors)
        {
            if (a.RelativeRectAt(t, Width, Height) is not { } r) continue;
            var iou = Iou(r, box);
            if (iou >= bestIou) (best, bestIou) = (a, iou);
        }
        return best;
    }

    public static double Iou((double X, double Y, double W, double H) a, (double X, double Y, double W, double H) b)
    {
        var w = Math.Max(0, Math.Min(a.X + a.W, b.X + b.W) - Math.Max(a.X, b.X));
        var h = Math.Max(0, Math.Min(a.Y + a.H, b.Y + b.H) - Math.Max(a.Y, b.Y));
        var inter = w * h;
        var union = a.W * a.H + b.W * b.H - inter;
        return union <= 0 ? 0 : inter / union;
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string D(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private static async Task RunFfmpegAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = await p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken);
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed to render the scene: {err}");
    }
}
