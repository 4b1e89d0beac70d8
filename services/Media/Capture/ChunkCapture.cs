using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using DaprVideo.Core.Video;
using DaprVideo.Media.Ffmpeg;
using DaprVideo.Media.Probing;

namespace DaprVideo.Media.Capture;

/// <summary>
/// The ingest loop: runs ffmpeg's segment muxer on a <see cref="VideoSource"/> and yields each
/// MPEG-TS chunk once ffmpeg has closed it (it lists a chunk in the csv segment list on stdout
/// only after closing the file). A source in a codec chunks can carry (<see cref="StreamCopy"/>: H.264, HEVC,
/// MPEG-4 Part 2, MPEG-1/2) with closed GOPs and keyframes at most 2 × the segment length apart (3 s at least) is
/// copied, its chunks cut on its own keyframes; anything else is encoded once with keyframes forced on the segment grid.
/// Each chunk's timing is read from its packets (<see cref="TransportStreamTiming"/>), without starting ffprobe.
/// Live sources reconnect with exponential backoff; the first chunk after a gap is marked.
/// </summary>
/// <remarks>
/// The scratch directory belongs to the caller and must be private to this capture; only files
/// named <c>chunk-NNNNNNNNN.ts</c> are written there, and each is deleted once read, plus, for a
/// source with secrets in its URL, the owner-only input script ffmpeg opens instead of the URL
/// (deleted once ffmpeg has read it), so the secrets never show in the process list.
/// A live source that stalls (<see cref="ChunkCaptureOptions.StallTimeout"/>) counts as dropped;
/// one that stays dark for <see cref="ChunkCaptureOptions.GiveUpAfter"/> ends the capture.
/// </remarks>
public sealed partial class ChunkCapture
{
    private readonly VideoSource _source;
    private readonly string _scratchDirectory;
    private readonly ChunkCaptureOptions _options;
    private readonly TimeProvider _time;
    private readonly VideoProbe _probe;

    public ChunkCapture(VideoSource source, string scratchDirectory, ChunkCaptureOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _options = options ?? new ChunkCaptureOptions();
        _options.Validate();
        if (string.IsNullOrEmpty(scratchDirectory) || !Path.IsPathFullyQualified(scratchDirectory)
            || scratchDirectory.Any(char.IsControl) || scratchDirectory.Contains('%', StringComparison.Ordinal))
            throw new ArgumentException($"Scratch directory '{scratchDirectory}' must be an absolute path without '%' or control characters.");
        _source = source;
        _scratchDirectory = Path.GetFullPath(scratchDirectory);
        _time = timeProvider ?? TimeProvider.System;
        _probe = new VideoProbe(_options.Tools);
    }

    /// <summary>
    /// Chunks in sequence order. A finite source ends when ffmpeg ends; a live one runs until
    /// cancelled (or until <see cref="ChunkCaptureOptions.MaxReconnectAttempts"/> is exhausted).
    /// Throws <see cref="MediaException"/> with ffmpeg's reason when the source is not usable video.
    /// </summary>
    public async IAsyncEnumerable<ChunkFile> CaptureAsync(
        IProgress<CaptureProgress>? progress = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var state = new CaptureState(_options.FirstSequence) { LastChunkAt = _time.GetUtcNow() };
        var watched = _options.StallTimeout is not null
            && (_source.Kind is VideoSourceKind.Rtsp or VideoSourceKind.Http || _source.IsInherentlyLive || _options.Live == true);
        while (true)
        {
            var outcome = new AttemptOutcome();
            // Before the probe says whether this attempt copies, its first chunk may be as long as a copied one.
            var firstChunk = LongestChunk(copy: _options.Transcode != TranscodeMode.Always);
            using (var watchdog = new StallWatchdog(watched ? _options.StallTimeout + ProbeWindow() + firstChunk : null, _time, cancellationToken))
            {
                var attempt = RunAttemptAsync(state, outcome, progress, watchdog.Token).GetAsyncEnumerator(watchdog.Token);
                await using (attempt.ConfigureAwait(false))
                {
                    while (true)
                    {
                        try
                        {
                            if (!await attempt.MoveNextAsync().ConfigureAwait(false)) break;
                        }
                        catch (OperationCanceledException) when (watchdog.HasFired && !cancellationToken.IsCancellationRequested)
                        {
                            outcome.Error = string.Create(CultureInfo.InvariantCulture,
                                $"Source {_source.DisplayName} stalled: no chunk for {_options.StallTimeout!.Value.TotalSeconds:0.#} s beyond the chunk length.");
                            break;
                        }
                        watchdog.Pause();
                        state.LastChunkAt = _time.GetUtcNow();
                        yield return attempt.Current;
                        if (watched) watchdog.Restart(_options.StallTimeout!.Value + LongestChunk(state.Copying));
                    }
                }
            }

            var live = state.Live ?? _options.Live ?? _source.IsInherentlyLive;
            if (!live)
            {
                if (outcome.Error is not null) throw new MediaException(outcome.Error);
                if (state.Chunks == 0) throw new MediaException($"Source {_source.DisplayName} produced no video frames.");
                yield break;
            }

            state.ConsecutiveFailures = outcome.Chunks > 0 ? 0 : state.ConsecutiveFailures + 1;
            var reason = outcome.Error ?? $"Live source {_source.DisplayName} ended.";
            if (state.Chunks == 0 && !_options.RetryBeforeFirstChunk)
                throw new MediaException(outcome.Error ?? $"Live source {_source.DisplayName} ended before its first chunk.");
            if (_options.MaxReconnectAttempts is { } max && state.ConsecutiveFailures > max)
                throw new MediaException($"Gave up on {_source.DisplayName} after {max} failed reconnects: {reason}");

            var dark = _time.GetUtcNow() - state.LastChunkAt;
            var delay = Backoff(state.ConsecutiveFailures);
            if (_options.GiveUpAfter is { } giveUp)
            {
                if (dark >= giveUp)
                    throw new MediaException(string.Create(CultureInfo.InvariantCulture,
                        $"Gave up on {_source.DisplayName}: no video for {dark.TotalSeconds:0} s while reconnecting (limit {giveUp.TotalSeconds:0} s); last error: {reason}"));
                // Wake up at the give-up time at the latest, so the limit holds whatever the backoff.
                if (delay > giveUp - dark) delay = giveUp - dark;
            }

            progress?.Report(new CaptureProgress(state.SourceDuration, state.CapturedSeconds, state.Chunks, live, reason, delay));
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            state.AfterGap = true;
        }
    }

    // Auto needs the keyframe spacing (a live source makes us wait that long); otherwise the header is enough.
    // The window outlasts StreamCopy.MaxKeyframeIntervalSeconds, so a longer gap is seen as one.
    private double ProbeWindowSeconds => _options.Transcode == TranscodeMode.Auto ? Math.Max(4, 2 * _options.SegmentSeconds + 1) : 1;

    private TimeSpan ProbeWindow() => TimeSpan.FromSeconds(ProbeWindowSeconds);

    /// <summary>
    /// What the source is. A reconnect to a camera already seen reads only its header (1 s): when codec and size are
    /// unchanged, its keyframe spacing is taken from the first probe instead of waiting the whole window again, so a
    /// camera back from a drop is captured that much sooner.
    /// </summary>
    private async Task<VideoInfo> ProbeAsync(VideoInfo? earlier, CancellationToken cancellationToken)
    {
        if (earlier is not null && _options.Transcode == TranscodeMode.Auto)
        {
            var header = await _probe.ProbeAsync(_source, 1, _options.NetworkTimeoutSeconds, _options.RtspTransport, _scratchDirectory,
                cancellationToken).ConfigureAwait(false);
            if (header.Codec == earlier.Codec && header.Format.Width == earlier.Format.Width && header.Format.Height == earlier.Format.Height
                && header.Rotation == earlier.Rotation)
                return header with { MaxKeyframeIntervalSeconds = earlier.MaxKeyframeIntervalSeconds, OpenGop = earlier.OpenGop };
        }
        return await _probe.ProbeAsync(_source, ProbeWindowSeconds, _options.NetworkTimeoutSeconds, _options.RtspTransport, _scratchDirectory,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An encoded chunk lasts a segment; a copied one ends at a source keyframe, up to the copy bound later.</summary>
    private TimeSpan LongestChunk(bool copy) =>
        TimeSpan.FromSeconds(copy ? StreamCopy.MaxKeyframeIntervalSeconds(_options.SegmentSeconds) : _options.SegmentSeconds);

    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.ReconnectInitialDelay.Ticks * factor, _options.ReconnectMaxDelay.Ticks));
        return delay;
    }

    private async IAsyncEnumerable<ChunkFile> RunAttemptAsync(
        CaptureState state, AttemptOutcome outcome, IProgress<CaptureProgress>? progress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        VideoInfo info;
        try
        {
            info = await ProbeAsync(state.Probed, cancellationToken).ConfigureAwait(false);
        }
        catch (MediaException e)
        {
            outcome.Error = e.Message;
            yield break;
        }

        state.Live ??= _options.Live ?? (_source.IsInherentlyLive || (_source.Kind == VideoSourceKind.Http && info.DurationSeconds is null));
        state.SourceDuration ??= info.DurationSeconds;
        progress?.Report(new CaptureProgress(state.SourceDuration, state.CapturedSeconds, state.Chunks, state.Live.Value));

        var copy = _options.Transcode switch
        {
            TranscodeMode.Never => true,
            TranscodeMode.Always => false,
            _ => StreamCopy.Suits(info, _options.SegmentSeconds, _source.Loops),
        };
        state.Copying = copy;
        state.Probed = info;

        var firstOfAttempt = state.NextSequence;
        var anchor = state.Chunks == 0 && _options.FirstChunkStart is { } given ? given : _time.GetUtcNow();
        double? attemptStartPts = null;
        double? expectedStart = null;
        var arguments = Arguments(copy ? info.Codec : null, state.Live.Value, firstOfAttempt, out var inputScript);
        FfmpegProcess process;
        try
        {
            process = FfmpegProcess.Start(_options.Tools.Ffmpeg, arguments);
        }
        catch
        {
            inputScript?.Delete();
            throw;
        }
        try
        {
            using var list = new StreamReader(process.StandardOutput);
            while (await list.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                var entry = ParseListEntry(line);
                if (entry is null) continue;
                var expected = ChunkFileName(state.NextSequence);
                if (!string.Equals(entry.Value.File, expected, StringComparison.Ordinal))
                {
                    outcome.Error = $"ffmpeg listed unexpected segment '{entry.Value.File}' (expected {expected}).";
                    yield break;
                }

                // ffmpeg has long read its input script: the secrets need not stay on disk any longer.
                inputScript?.Delete();
                var path = Path.Combine(_scratchDirectory, expected);
                var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                File.Delete(path);

                // Exact timing comes from the chunk's own packets; the csv is the fallback. The previous chunk's end
                // says which turn of the 33-bit PTS clock this one is on (a camera's ffmpeg may run past 26.5 h).
                double startPts, duration;
                int frames;
                try
                {
                    var timing = TransportStreamTiming.Read(bytes, expectedStart, info.Format.FrameRate.FrameDuration);
                    (startPts, duration, frames) = (timing.StartSeconds, timing.SpanSeconds, timing.FrameCount);
                }
                catch (MediaException)
                {
                    (startPts, duration, frames) = (entry.Value.Start, entry.Value.End - entry.Value.Start, 0);
                }
                attemptStartPts ??= startPts;
                expectedStart = startPts + duration;

                var chunk = new ChunkFile(
                    state.NextSequence,
                    bytes,
                    anchor + TimeSpan.FromSeconds(Math.Max(0, startPts - attemptStartPts.Value)),
                    duration,
                    Discontinuity: state.AfterGap && outcome.Chunks == 0,
                    frames);
                state.NextSequence++;
                state.Chunks++;
                state.CapturedSeconds += duration;
                outcome.Chunks++;
                progress?.Report(new CaptureProgress(state.SourceDuration, state.CapturedSeconds, state.Chunks, state.Live.Value));
                yield return chunk;
            }

            var exit = await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (exit != 0)
                outcome.Error = $"ffmpeg failed on {_source.DisplayName} (exit {exit}): {process.LastError}";
        }
        finally
        {
            await process.DisposeAsync().ConfigureAwait(false);
            inputScript?.Delete();
            // A killed run may leave the chunk it was writing, and under load the ones it finished
            // after the consumer stopped listening; the scratch folder is this capture's alone.
            foreach (var leftover in Directory.EnumerateFiles(_scratchDirectory, ChunkFilePattern))
                File.Delete(leftover);
        }
    }

    /// <param name="copiedCodec">The source codec when it is stream-copied; null to encode.</param>
    private List<string> Arguments(string? copiedCodec, bool live, long firstSequence, out PrivateInputScript? inputScript)
    {
        var realTime = _options.SimulateLive && _source.Kind is VideoSourceKind.File or VideoSourceKind.TestPattern;
        var segment = _options.SegmentSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y" };
        var input = FfmpegInput.Arguments(_source, realTime, _options.NetworkTimeoutSeconds, _options.RtspTransport, forProbe: false, _scratchDirectory, out inputScript).ToList();
        if (_options.StartSeconds > 0 && !_source.IsInherentlyLive && _source.Kind != VideoSourceKind.Rtsp)
            input.InsertRange(input.LastIndexOf("-i"), ["-ss", _options.StartSeconds.ToString("0.###", CultureInfo.InvariantCulture)]);
        args.AddRange(input);
        args.AddRange(["-map", "0:v:0", "-an", "-sn", "-dn"]);
        if (copiedCodec is not null)
        {
            args.AddRange(["-c:v", "copy"]);
            if (StreamCopy.BitstreamFilters(copiedCodec) is { } filters) args.AddRange(["-bsf:v", filters]);
        }
        else
        {
            args.AddRange([
                "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2",
                "-c:v", "libx264", "-preset", _options.Preset, "-pix_fmt", "yuv420p",
                "-force_key_frames", $"expr:gte(t,n_forced*{segment})",
            ]);
            // x264's lookahead and B-frames hold back ~0.65 s of frames, so a live chunk would close that
            // much after its last frame; the chunk is re-encoded by Inference anyway, so trade bitrate for latency.
            if (live || realTime) args.AddRange(["-tune", "zerolatency"]);
        }
        args.AddRange([
            "-f", "segment", "-segment_time", segment, "-segment_format", "mpegts",
            "-segment_list", "pipe:1", "-segment_list_type", "csv",
            "-segment_start_number", firstSequence.ToString(CultureInfo.InvariantCulture),
            "file:" + Path.Combine(_scratchDirectory, "chunk-%09d.ts"),
        ]);
        return args;
    }

    private const string ChunkFilePattern = "chunk-*.ts";

    internal static string ChunkFileName(long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"chunk-{sequence:D9}.ts");

    private static (string File, double Start, double End)? ParseListEntry(string line)
    {
        var m = ListEntryRegex().Match(line);
        if (!m.Success) return null;
        return (m.Groups[1].Value,
            double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^(chunk-[0-9]{9,19}\.ts),(-?[0-9]+\.[0-9]+),(-?[0-9]+\.[0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ListEntryRegex();

    private sealed class CaptureState(long firstSequence)
    {
        public DateTimeOffset LastChunkAt { get; set; }
        public long NextSequence { get; set; } = firstSequence;
        public long Chunks { get; set; }
        public double CapturedSeconds { get; set; }
        public double? SourceDuration { get; set; }
        public bool? Live { get; set; }
        public bool AfterGap { get; set; }
        public bool Copying { get; set; }
        public VideoInfo? Probed { get; set; }
        public int ConsecutiveFailures { get; set; }
    }

    private sealed class AttemptOutcome
    {
        public string? Error { get; set; }
        public int Chunks { get; set; }
    }
}
