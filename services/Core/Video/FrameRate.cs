using System.Globalization;

namespace DaprVideo.Core.Video;

/// <summary>
/// A frame rate as ffmpeg spells it (<c>30000/1001</c>), kept rational so durations do not drift.
/// </summary>
public readonly record struct FrameRate
{
    public const double MaxFramesPerSecond = 240;

    public int Numerator { get; }
    public int Denominator { get; }

    public FrameRate(int numerator, int denominator)
    {
        if (numerator <= 0 || denominator <= 0 || (double)numerator / denominator > MaxFramesPerSecond)
            throw new ArgumentOutOfRangeException(nameof(numerator), $"Frame rate {numerator}/{denominator} is not between 0 and {MaxFramesPerSecond} fps.");
        Numerator = numerator;
        Denominator = denominator;
    }

    public double FramesPerSecond => (double)Numerator / Denominator;

    public double FrameDuration => (double)Denominator / Numerator;

    /// <summary>Parses <c>25</c> or <c>30000/1001</c>; returns false for ffprobe's <c>0/0</c> and anything odd.</summary>
    public static bool TryParse(string? text, out FrameRate rate)
    {
        rate = default;
        if (string.IsNullOrEmpty(text)) return false;
        var parts = text.Split('/');
        if (parts.Length > 2) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var num)) return false;
        var den = 1;
        if (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out den)) return false;
        if (num <= 0 || den <= 0 || (double)num / den > MaxFramesPerSecond) return false;
        rate = new FrameRate(num, den);
        return true;
    }

    public override string ToString() =>
        Denominator == 1
            ? Numerator.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");
}
