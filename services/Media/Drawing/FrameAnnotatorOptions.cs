namespace DaprVideo.Media.Drawing;

/// <summary>How <see cref="FrameAnnotator"/> finds its font.</summary>
public sealed record FrameAnnotatorOptions
{
    /// <summary>
    /// A TrueType/OpenType file for captions. Null tries Skia's default typeface, then
    /// <see cref="CommonFontPaths"/>: the NoDependencies Skia build has no fontconfig, so its
    /// default typeface has no glyphs and a file is needed on Linux.
    /// </summary>
    public string? FontPath { get; init; }

    /// <summary>Fonts tried when none is configured (Debian fonts-dejavu-core, fonts-liberation).</summary>
    public static IReadOnlyList<string> CommonFontPaths { get; } =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    ];
}
