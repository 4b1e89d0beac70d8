using System.Globalization;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Embedded.Cli;
using DaprVideo.Media.Capture;
using DaprVideo.Settings;

namespace DaprVideo.Embedded.Commands;

/// <summary>
/// <c>process &lt;source&gt; --out &lt;dir&gt; [--id id]</c>: runs a finite source through the whole
/// pipeline and writes DIR/ID/index.m3u8 (VOD), its segments and detections.jsonl.
/// </summary>
public static class ProcessCommand
{
    public const string Usage = "process <file|http(s) URL|testsrc:duration=S> --out <dir> [--id <id>] [--detector onnx|tfserving --tf-serving-url URL]";

    public static async Task<int> RunAsync(CommandArguments args, PipelineSettings settings, SettingsReader env, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancellationToken)
    {
        var sourceText = args.Positional(0, "source (usage: " + Usage + ")");
        var outDir = args.Option("out") ?? throw new UsageException("Missing --out <dir> (usage: " + Usage + ").");
        var idText = args.Option("id");
        settings = settings.WithDetectorArguments(args, env);
        args.EnsureNoneLeft(1);

        if (!VideoSource.TryParse(LocalPathOrUrl(sourceText), out var source, out var error)) throw new UsageException(error);
        if (source.Kind == VideoSourceKind.File && !File.Exists(source.Location))
            throw new UsageException($"No such file: '{sourceText}'.");
        if (source.Kind == VideoSourceKind.TestPattern && source.Pattern?.DurationSeconds is null)
            throw new UsageException("process needs a finite source: give the test pattern a duration, e.g. testsrc:duration=10.");

        var id = idText is null ? DefaultId(source) : StreamId.TryParse(idText, out var parsed) ? parsed
            : throw new UsageException($"Invalid --id '{idText}': use 1-63 characters of a-z, 0-9, '_' or '-', starting with a letter or digit.");
        var streamDir = Path.Combine(Path.GetFullPath(outDir), id.Value);
        if (Directory.Exists(streamDir) && Directory.EnumerateFileSystemEntries(streamDir).Any())
            throw new UsageException($"'{streamDir}' already exists and is not empty; remove it or pick another --id.");

        var progress = new ProgressReporter(stderr, interactive);
        var scratch = Directory.CreateTempSubdirectory("daprvideo-capture-");
        var succeeded = false;
        try
        {
            await using var pipeline = new EmbeddedPipeline(settings, outDir, vodOnly: true);
            var capture = new ChunkCapture(source, scratch.FullName, new ChunkCaptureOptions { SegmentSeconds = settings.SegmentSeconds, Live = false });
            var captured = new Progress<CaptureProgress>(p => progress.Report(p.Fraction,
                string.Create(CultureInfo.InvariantCulture, $"captured {p.CapturedSeconds:F1}s in {p.Chunks} chunks")));

            var run = RunAsync(pipeline, id, capture, captured, cancellationToken);
            var finished = await Task.WhenAny(run, pipeline.Failure);
            if (finished == pipeline.Failure) throw new InvalidOperationException(await pipeline.Failure);
            await run;
            progress.Finish();

            var playlist = Path.Combine(streamDir, "index.m3u8");
            pipeline.Playlists.TryGet(id, out var state, out var index);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"wrote {playlist}: {state.Segments.Count} segments, {state.Segments.Sum(s => s.DurationSeconds):F1}s, labels: {string.Join(", ", index.Labels())}"));
            succeeded = true;
            return 0;
        }
        finally
        {
            progress.Finish();
            scratch.Delete(recursive: true);
            // A failed run leaves nothing that could pass for a result.
            if (!succeeded && Directory.Exists(streamDir)) Directory.Delete(streamDir, recursive: true);
        }
    }

    private static async Task RunAsync(EmbeddedPipeline pipeline, StreamId id, ChunkCapture capture, IProgress<CaptureProgress> progress, CancellationToken cancellationToken)
    {
        var last = await pipeline.Ingestor.IngestAsync(id, capture.CaptureAsync(progress, cancellationToken), cancellationToken: cancellationToken);
        if (last < 0) throw new InvalidDataException("The source produced no video.");
        await pipeline.Ingestor.EndAsync(id, last, cancellationToken);
        await pipeline.Playlists.WaitForCompletionAsync(id, cancellationToken);
        // The stream's end also closes its open events (and whatever else listens): let that finish too.
        await pipeline.DrainAsync(cancellationToken);
    }

    /// <summary>
    /// Anything that starts like a scheme or a test pattern goes to <see cref="VideoSource"/> as it is (which
    /// refuses what it must); anything else is a local path, made absolute: the user named it on their own command line.
    /// </summary>
    private static string LocalPathOrUrl(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var looksLikeScheme = colon > 0 && text[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') && char.IsAsciiLetter(text[0]);
        return looksLikeScheme || text == "testsrc" || text.Length == 0 ? text : Path.GetFullPath(text);
    }

    private static StreamId DefaultId(VideoSource source) => source.Kind switch
    {
        VideoSourceKind.File => StreamId.FromName(Path.GetFileNameWithoutExtension(source.Location)),
        VideoSourceKind.TestPattern => StreamId.Parse("testsrc"),
        _ => StreamId.FromName(Path.GetFileNameWithoutExtension(new Uri(source.Location).AbsolutePath) is { Length: > 0 } n ? n : "stream"),
    };
}
