namespace DaprVideo.Media.Codec;

/// <summary>libx264's preset names; a preset is an ffmpeg argument, so only these pass.</summary>
public static class X264Presets
{
    public const string Default = "veryfast";

    public static IReadOnlyList<string> All { get; } =
        ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"];

    public static void Validate(string preset, string name)
    {
        if (!All.Contains(preset, StringComparer.Ordinal))
            throw new ArgumentException($"{name} '{preset}' is not an x264 preset: use one of {string.Join(", ", All)}.");
    }
}
