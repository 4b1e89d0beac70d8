namespace DaprVideo.Media.Ffmpeg;

/// <summary>Which ffmpeg and ffprobe executables to run; plain names are looked up on PATH.</summary>
public sealed record FfmpegTools(string Ffmpeg = "ffmpeg", string Ffprobe = "ffprobe")
{
    public static FfmpegTools Default { get; } = new();
}
