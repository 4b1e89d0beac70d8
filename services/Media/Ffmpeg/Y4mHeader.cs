using System.Globalization;
using DaprVideo.Core.Video;

namespace DaprVideo.Media.Ffmpeg;

/// <summary>
/// The stream header of ffmpeg's yuv4mpegpipe output (<c>YUV4MPEG2 W1280 H720 F25:1 Ip A1:1 C420mpeg2 ...</c>):
/// it tells the decoder the picture size and rate, so no ffprobe run is needed per chunk.
/// </summary>
internal static class Y4mHeader
{
    public const string Magic = "YUV4MPEG2";

    /// <summary>Longest header or frame line accepted; ffmpeg's are well under 100 bytes.</summary>
    public const int MaxLineLength = 512;

    /// <summary>Parses the header line (without its newline); only 4:2:0 8-bit streams are accepted.</summary>
    public static VideoFormat Parse(string line)
    {
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0 || tokens[0] != Magic)
            throw new MediaException("Decoder output is not a YUV4MPEG2 stream.");
        int width = 0, height = 0;
        FrameRate? rate = null;
        foreach (var token in tokens.AsSpan(1))
        {
            var value = token.AsSpan(1);
            switch (token[0])
            {
                case 'W':
                    width = ParseInt(value, "width");
                    break;
                case 'H':
                    height = ParseInt(value, "height");
                    break;
                case 'F':
                    var colon = value.IndexOf(':');
                    var num = colon < 0 ? 0 : ParseInt(value[..colon], "frame rate");
                    var den = colon < 0 ? 0 : ParseInt(value[(colon + 1)..], "frame rate");
                    if (!FrameRate.TryParse(string.Create(CultureInfo.InvariantCulture, $"{num}/{den}"), out var r))
                        throw new MediaException($"Decoded video has an unusable frame rate '{token}'.");
                    rate = r;
                    break;
                case 'C':
                    // Chroma siting variants share the plane layout; 10-bit (C420p10) or 4:2:2/4:4:4 would not.
                    if (token is not ("C420" or "C420jpeg" or "C420mpeg2" or "C420paldv"))
                        throw new MediaException($"Decoded video has colour space '{token[1..]}', not 8-bit 4:2:0.");
                    break;
            }
        }
        if (rate is not { } frameRate) throw new MediaException("Decoded video has no frame rate.");
        var format = new VideoFormat(width, height, frameRate);
        format.Validate();
        return format;
    }

    private static int ParseInt(ReadOnlySpan<char> text, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new MediaException($"Decoded video has an unreadable {what} '{text}'.");
}
