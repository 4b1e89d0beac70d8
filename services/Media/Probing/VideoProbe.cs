using System.Globalization;
using System.Text.Json;
using DaprVideo.Core.Video;
using DaprVideo.Media.Ffmpeg;

namespace DaprVideo.Media.Probing;

/// <summary>
/// ffprobe over a <see cref="VideoSource"/> or over chunk bytes fed to stdin, parsed from its JSON output.
/// </summary>
public sealed class VideoProbe
{
    private readonly FfmpegTools _tools;

    public VideoProbe(FfmpegTools? tools = null) => _tools = tools ?? FfmpegTools.Default;

    /// <summary>
    /// Probes a source; packets are read for the first <paramref name="packetWindowSeconds"/> of media
    /// (for a live source that means waiting that long). Throws <see cref="MediaException"/> when the
    /// source cannot be opened or holds no video.
    /// </summary>
    public Task<VideoInfo> ProbeAsync(VideoSource source, double packetWindowSeconds, double? networkTimeoutSeconds = 15, CancellationToken cancellationToken = default) =>
        ProbeAsync(source, packetWindowSeconds, networkTimeoutSeconds, RtspTransport.Tcp, privateDirectory: null, cancellationToken);

    /// <param name="privateDirectory">
    /// Where a source with secrets in its URL gets its <see cref="PrivateInputScript"/> (null: a fresh temp folder).
    /// </param>
    internal async Task<VideoInfo> ProbeAsync(VideoSource source, double packetWindowSeconds, double? networkTimeoutSeconds,
        RtspTransport rtspTransport, string? privateDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(packetWindowSeconds);
        var ownDirectory = privateDirectory is null && PrivateInputScript.IsNeeded(source) ? Directory.CreateTempSubdirectory("daprvideo-probe-").FullName : null;
        try
        {
            var args = CommonArguments();
            args.AddRange(["-read_intervals", string.Create(CultureInfo.InvariantCulture, $"%+{packetWindowSeconds:0.###}")]);
            args.AddRange(FfmpegInput.Arguments(source, realTime: false, networkTimeoutSeconds, rtspTransport, forProbe: true,
                privateDirectory ?? ownDirectory ?? Path.GetTempPath(), out var script));
            using (script)
            {
                await using var process = FfmpegProcess.Start(_tools.Ffprobe, args);
                var json = await ReadAllAsync(process.StandardOutput, cancellationToken).ConfigureAwait(false);
                var exit = await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                if (exit != 0)
                    throw new MediaException($"Source {source.DisplayName} is not readable video: {process.LastError}");
                return Parse(json, source.DisplayName);
            }
        }
        finally
        {
            if (ownDirectory is not null) Directory.Delete(ownDirectory, recursive: true);
        }
    }

    /// <summary>Probes an MPEG-TS chunk held in memory, reading every packet (exact span and frame count).</summary>
    public async Task<VideoInfo> ProbeAsync(ReadOnlyMemory<byte> mpegTs, CancellationToken cancellationToken = default)
    {
        if (mpegTs.IsEmpty) throw new MediaException("Chunk is empty (0 bytes), not MPEG-TS video.");
        var args = CommonArguments();
        args.AddRange(["-protocol_whitelist", "pipe", "-f", "mpegts", "-i", "pipe:0"]);
        await using var process = FfmpegProcess.Start(_tools.Ffprobe, args, redirectInput: true);
        var feed = process.FeedInputAsync(mpegTs, cancellationToken);
        var json = await ReadAllAsync(process.StandardOutput, cancellationToken).ConfigureAwait(false);
        await feed.ConfigureAwait(false);
        var exit = await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (exit != 0)
            throw new MediaException($"Chunk of {mpegTs.Length} bytes is not readable MPEG-TS video: {process.LastError}");
        return Parse(json, $"chunk of {mpegTs.Length} bytes");
    }

    private static List<string> CommonArguments() =>
    [
        "-v", "error", "-hide_banner", "-of", "json", "-select_streams", "v:0",
        "-show_entries",
        "stream=codec_name,width,height,r_frame_rate,avg_frame_rate:stream_side_data=rotation:format=duration:packet=pts_time,dts_time,duration_time,flags",
    ];

    private static async Task<string> ReadAllAsync(Stream stdout, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stdout);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static VideoInfo Parse(string json, string what)
    {
        using var doc = JsonDocument.Parse(json.Length == 0 ? "{}" : json);
        var root = doc.RootElement;
        if (!root.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
            throw new MediaException($"{Capitalise(what)} has no video stream.");
        var stream = streams[0];
        var codec = stream.TryGetProperty("codec_name", out var c) ? c.GetString() ?? "unknown" : "unknown";
        var width = stream.TryGetProperty("width", out var w) ? w.GetInt32() : 0;
        var height = stream.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
        if (!FrameRate.TryParse(Text(stream, "avg_frame_rate"), out var rate) && !FrameRate.TryParse(Text(stream, "r_frame_rate"), out rate))
            throw new MediaException($"{Capitalise(what)} has no usable frame rate.");
        var format = new VideoFormat(width, height, rate);
        format.Validate();

        double? duration = root.TryGetProperty("format", out var f) ? Number(f, "duration") : null;
        var rotation = Rotation(stream);

        var start = double.PositiveInfinity;
        var end = double.NegativeInfinity;
        var keyframes = new List<double>();
        var count = 0;
        var openGop = false;
        double? lastKeyframe = null;
        if (root.TryGetProperty("packets", out var packets))
        {
            // Packets come in decode order: one after a keyframe with an earlier presentation time is a leading picture.
            foreach (var packet in packets.EnumerateArray())
            {
                var presented = Number(packet, "pts_time");
                var pts = presented ?? Number(packet, "dts_time");
                if (pts is not { } p) continue;
                count++;
                var d = Number(packet, "duration_time") is { } pd && pd > 0 ? pd : rate.FrameDuration;
                start = Math.Min(start, p);
                end = Math.Max(end, p + d);
                var key = Text(packet, "flags")?.Contains('K', StringComparison.Ordinal) == true;
                if (key) keyframes.Add(p);
                if (presented is null || (!key && p < lastKeyframe - 1e-6)) openGop = true;
                if (key) lastKeyframe = p;
            }
        }
        if (count == 0) return new VideoInfo(codec, format, duration, 0, 0, null, 0, Rotation: rotation);

        keyframes.Sort();
        double? maxGap = null;
        if (keyframes.Count > 0)
        {
            var gap = keyframes[0] - start;
            for (var i = 1; i < keyframes.Count; i++) gap = Math.Max(gap, keyframes[i] - keyframes[i - 1]);
            maxGap = Math.Max(gap, end - keyframes[^1]);
        }
        else
        {
            maxGap = double.PositiveInfinity;
        }
        return new VideoInfo(codec, format, duration, start, end - start, maxGap, count, openGop, rotation);
    }

    /// <summary>The display matrix's rotation in whole degrees, 0..359 (ffprobe prints it as a number, -90 for a phone's portrait).</summary>
    private static int Rotation(JsonElement stream)
    {
        if (!stream.TryGetProperty("side_data_list", out var sideData) || sideData.ValueKind != JsonValueKind.Array) return 0;
        foreach (var entry in sideData.EnumerateArray())
        {
            if (entry.TryGetProperty("rotation", out var r) && r.ValueKind == JsonValueKind.Number && r.TryGetDouble(out var degrees) && double.IsFinite(degrees))
                return (((int)Math.Round(degrees) % 360) + 360) % 360;
        }
        return 0;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement element, string name) =>
        double.TryParse(Text(element, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : null;

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
