using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Media.Capture;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Ingest;

/// <summary>
/// Runs one capture loop per stream (ffmpeg cutting chunks, stored and announced by the
/// <see cref="ChunkIngestor"/>) and answers what each is doing. Every stream is recorded in the
/// <see cref="StreamRegistry"/> so a restarted Ingest resumes it (<see cref="ResumeAsync"/>).
/// Stopping a stream ends its playlist; stopping the host (<see cref="StopAllAsync"/>) does not.
/// Credentials never go into the registry: <see cref="StreamCredentials"/> keeps them where a restart finds them.
/// </summary>
/// <remarks>
/// A live source that drops (ends, errors, or stalls: no chunk within <see cref="IngestOptions.CameraStallTimeout"/>) is
/// reconnected with backoff; meanwhile the stream stays <c>running</c>, keeps its MAX_STREAMS slot and its
/// <c>error</c> says <c>reconnecting: why</c> until the next chunk. Dark for <see cref="IngestOptions.CameraGiveUpAfter"/>,
/// it ends <c>failed</c> with the reason and frees its slot. A new stream whose source never yields a first chunk fails at
/// once (wrong URL, wrong password) or after the stall timeout (a source that accepts and trickles bytes).
/// </remarks>
public sealed partial class StreamCaptures(ChunkIngestor ingestor, StreamRegistry registry, IngestOptions options, ScratchArea scratchArea,
    ILogger<StreamCaptures> logger, StreamCredentials? credentials = null) : IAsyncDisposable
{
    /// <summary>Why a stream with inline credentials is not resumed by a host that does not keep them.</summary>
    public const string NotResumableError = StreamCredentials.NotResumableError;

    private readonly ConcurrentDictionary<StreamId, RunningStream> _streams = new();
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private readonly StreamCredentials _credentials = credentials ?? new StreamCredentials();
    private volatile bool _stopping;

    /// <summary>True once the host is stopping: no stream starts any more.</summary>
    public bool IsStopping => _stopping;

    public IReadOnlyList<StreamStatus> List() => [.. _streams.Values.OrderBy(s => s.StartedAt).Select(s => s.Status())];

    public StreamStatus? Get(StreamId id) => _streams.TryGetValue(id, out var s) ? s.Status() : null;

    /// <summary>
    /// Records the stream and starts capturing; throws <see cref="StreamConflictException"/> when the id is
    /// taken (here or in the store: a stream's sequences must never mix with an older one's) or too many run.
    /// </summary>
    public Task<StreamStatus> StartAsync(StreamId id, VideoSource source, bool simulateLive = false, CancellationToken cancellationToken = default) =>
        StartAsync(id, source, retention: null, simulateLive, cancellationToken);

    /// <summary>As above, with the stream's own retention limits (kept in its descriptor, where Playlist reads them).</summary>
    public Task<StreamStatus> StartAsync(StreamId id, VideoSource source, StreamRetention? retention, bool simulateLive = false, CancellationToken cancellationToken = default) =>
        StartAsync(id, RequestedSource.Plain(source ?? throw new ArgumentNullException(nameof(source))), retention, zones: null, simulateLive, cancellationToken);

    /// <summary>
    /// As above for a source with its credentials applied (<see cref="StreamCredentials.ApplyAsync"/>); inline ones are
    /// kept where the host keeps them, a secret is recorded by name only. Throws <see cref="ServiceStoppingException"/>
    /// once the host is stopping. <paramref name="zones"/> (validated by the caller: <see cref="Zone.Problem"/>) go into the
    /// descriptor and with every chunk.
    /// </summary>
    public async Task<StreamStatus> StartAsync(StreamId id, RequestedSource source, StreamRetention? retention, IReadOnlyList<Zone>? zones,
        bool simulateLive = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        RunningStream stream;
        await _startGate.WaitAsync(cancellationToken);
        try
        {
            if (_stopping) throw new ServiceStoppingException();
            if (_streams.ContainsKey(id) || await registry.ExistsAsync(id, cancellationToken))
                throw new StreamConflictException($"Stream '{id}' already exists; pick another id.");
            if (_streams.Values.Count(s => s.IsActive) >= options.MaxStreams)
                throw new StreamConflictException($"{options.MaxStreams} streams are already running (MAX_STREAMS).");
            var effective = source.Effective;
            var live = simulateLive || effective.IsInherentlyLive || effective.Kind == VideoSourceKind.Rtsp;
            var kept = await _credentials.KeepAsync(id, source, cancellationToken);
            stream = new RunningStream(id, effective, live, simulateLive, DateTimeOffset.UtcNow, resume: null)
            {
                Credentials = kept,
                Resumable = !source.Inline.HasSecrets || kept?.Kept == true,
                Retention = retention,
                Zones = zones is { Count: > 0 } ? zones : null,
            };
            // Recorded before the first chunk, so a crash right after start still leaves the stream resumable.
            await registry.SaveAsync(stream.Descriptor(), cancellationToken);
            _streams[id] = stream;
            if (!stream.Resumable) LogNotKept(logger, id.Value);
        }
        finally
        {
            _startGate.Release();
        }
        stream.Task = Task.Run(() => RunAsync(stream), CancellationToken.None);
        return stream.Status();
    }

    /// <summary>
    /// At start: lists the registry, shows past streams as they ended, and resumes the active ones after their
    /// last stored sequence (first chunk marked as a discontinuity; recorded sources seek to where they
    /// stopped). A stream that cannot be resumed (its credentials were inline and not kept, its secret is gone, its
    /// file is no longer allowed, ...) is marked failed with the reason and its playlist ended: no stream stays
    /// "running" without a capture. When the secret store cannot be reached yet, the stream is left for the next
    /// call (<paramref name="giveUp"/>: the last one, which marks it failed instead); the count of those is returned too.
    /// </summary>
    public async Task<ResumeResult> ResumeAsync(SourcePolicy policy, bool giveUp = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var resumed = 0;
        var waiting = 0;
        var (descriptors, unreadable) = await registry.ListWithErrorsAsync(cancellationToken);
        foreach (var (id, reason) in unreadable)
        {
            if (_streams.ContainsKey(id)) continue;
            LogUnreadable(logger, id.Value, reason);
            var now = DateTimeOffset.UtcNow;
            _streams[id] = RunningStream.Past(id, new StreamDescriptor(id.Value, "", StreamDescriptor.Failed, $"stream.json is unreadable: {reason}",
                Live: false, SimulateLive: false, Resumable: false, LastSequence: -1, DurationSeconds: 0, StartedAt: now, FirstChunkStart: null, UpdatedAt: now));
        }
        foreach (var descriptor in descriptors)
        {
            var id = StreamId.Parse(descriptor.Id);
            if (_streams.ContainsKey(id) || _stopping) continue;
            if (!descriptor.IsActive)
            {
                _streams[id] = RunningStream.Past(id, descriptor);
                continue;
            }

            var last = Math.Max(descriptor.LastSequence, await registry.LastStoredSequenceAsync(id, cancellationToken));
            string? refusal = null;
            VideoSource? source = null;
            try
            {
                source = await _credentials.ResumeAsync(descriptor, cancellationToken);
                policy.Check(source);
            }
            catch (ArgumentException e)
            {
                refusal = e.Message;
            }
            catch (SecretStoreException e) when (e.Transient && !giveUp)
            {
                LogResumeLater(logger, id.Value, e.Message);
                waiting++;
                continue;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                refusal = $"could not be resumed: {VideoSource.RedactText(e.Message).ReplaceLineEndings(" ")}";
            }

            if (refusal is not null || source is null)
            {
                await FailAtResumeAsync(id, descriptor, last, refusal ?? "unknown source", cancellationToken);
                continue;
            }

            if (_stopping) break; // the host began to stop while this was looked up: the next start resumes it
            var stream = new RunningStream(id, source, descriptor.Live, descriptor.SimulateLive, descriptor.StartedAt,
                new ResumePoint(last + 1, descriptor.DurationSeconds, descriptor.FirstChunkStart))
            {
                Credentials = descriptor.Credentials,
                Resumable = descriptor.Resumable,
                Retention = descriptor.Retention,
                Zones = descriptor.Zones,
            };
            _streams[id] = stream;
            stream.Task = Task.Run(() => RunAsync(stream), CancellationToken.None);
            resumed++;
            LogResumed(logger, id.Value, last + 1);
        }
        return new ResumeResult(resumed, waiting);
    }

    private async Task FailAtResumeAsync(StreamId id, StreamDescriptor descriptor, long last, string reason, CancellationToken cancellationToken)
    {
        var failed = descriptor with { State = StreamDescriptor.Failed, Error = reason, LastSequence = last, UpdatedAt = DateTimeOffset.UtcNow };
        await registry.SaveAsync(failed, cancellationToken);
        _streams[id] = RunningStream.Past(id, failed);
        await ingestor.EndAsync(id, last, cancellationToken);
        await _credentials.ForgetAsync(id, cancellationToken);
        LogNotResumed(logger, id.Value, reason);
    }

    /// <summary>Drops a stream that is not running from those shown (its data was purged), so its id is free again.</summary>
    public bool Forget(StreamId id) =>
        _streams.TryGetValue(id, out var stream) && !stream.IsActive
        && _streams.TryRemove(new KeyValuePair<StreamId, RunningStream>(id, stream));

    /// <summary>
    /// Stops a stream and ends its playlist; false when there is no such stream. A stream the registry still records as
    /// active but no capture runs for here (its resume has not happened or failed to run) is ended in the registry.
    /// </summary>
    public async Task<bool> StopAsync(StreamId id)
    {
        if (_stopping) throw new ServiceStoppingException();
        if (!_streams.TryGetValue(id, out var stream))
        {
            await _startGate.WaitAsync();
            try
            {
                if (!_streams.ContainsKey(id))
                {
                    if (await registry.GetAsync(id) is not { } stored) return false;
                    var last = Math.Max(stored.LastSequence, await registry.LastStoredSequenceAsync(id));
                    if (stored.IsActive)
                    {
                        stored = stored with { State = StreamDescriptor.Ended, LastSequence = last, UpdatedAt = DateTimeOffset.UtcNow };
                        await registry.SaveAsync(stored);
                        await ingestor.EndAsync(id, last);
                        await _credentials.ForgetAsync(id);
                    }
                    _streams[id] = RunningStream.Past(id, stored);
                    return true;
                }
            }
            finally
            {
                _startGate.Release();
            }
            stream = _streams[id];
        }
        await stream.Stop.CancelAsync();
        await stream.Task;
        return true;
    }

    /// <summary>
    /// Host shutdown: no stream starts any more, every capture loop stops. With <see cref="IngestOptions.ResumeStreams"/>
    /// (both hosts) their streams stay active in the registry for the next Ingest to resume, their playlists without
    /// ENDLIST; otherwise each is ended like a stop. Waits for the loops until <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task StopAllAsync(CancellationToken cancellationToken = default)
    {
        // The host's stop and then its disposal both come here: the second call only waits.
        var first = !_stopping;
        _stopping = true;
        var all = _streams.Values.ToList();
        var left = 0;
        foreach (var s in all)
        {
            s.Abandoned = options.ResumeStreams;
            if (s.IsActive && s.Abandoned) left++;
            await s.Stop.CancelAsync();
        }
        await Task.WhenAll(all.Select(s => s.Task)).WaitAsync(cancellationToken);
        if (first && left > 0) LogLeftActive(logger, left);
    }

    private async Task RunAsync(RunningStream stream)
    {
        var scratch = scratchArea.NewCaptureDirectory(stream.Id.Value);
        var resume = stream.Resume;
        var last = (resume?.NextSequence ?? 0) - 1;
        var stopped = false; // the loop ended because it was told to stop (not because the source ended or failed by itself)
        try
        {
            var capture = new ChunkCapture(stream.Source, scratch, new ChunkCaptureOptions
            {
                SegmentSeconds = options.SegmentSeconds,
                SimulateLive = stream.SimulateLive,
                Live = stream.Live ? null : false,
                FirstSequence = resume?.NextSequence ?? 0,
                StartSeconds = resume is null || stream.Source.IsInherentlyLive ? 0 : resume.CapturedSeconds,
                StallTimeout = options.CameraStallTimeout,
                GiveUpAfter = options.CameraGiveUpAfter,
            });
            stream.State = StreamDescriptor.Running;
            var progress = new ReportedProgress(p =>
            {
                stream.CapturedSeconds = (resume?.CapturedSeconds ?? 0) + p.CapturedSeconds;
                stream.Error = p.Reconnecting is { } why ? "reconnecting: " + stream.Source.Redact(why).ReplaceLineEndings(" ") : null;
            });
            var chunks = Recorded(stream, capture.CaptureAsync(progress, stream.Stop.Token), resume is not null, stream.Stop.Token);
            await ingestor.IngestAsync(stream.Id, chunks,
                chunk => { last = chunk.Sequence; Interlocked.Increment(ref stream.Chunks); },
                resume?.FirstChunkStart, stream.Zones, stream.Stop.Token);
            stream.Error = null;
            stream.State = StreamDescriptor.Ended;
        }
        catch (OperationCanceledException) when (stream.Stop.IsCancellationRequested)
        {
            stopped = true;
            stream.Error = null;
            stream.State = StreamDescriptor.Ended;
        }
        catch (Exception e)
        {
            // A failure while being stopped (ffmpeg killed mid-write) is the stop, not a fault of the source.
            stopped = stream.Stop.IsCancellationRequested;
            stream.Error = stopped ? null : stream.Source.Redact(e.Message).ReplaceLineEndings(" ");
            stream.State = stopped ? StreamDescriptor.Ended : StreamDescriptor.Failed;
            if (!stopped) LogStreamFailed(logger, stream.Id.Value, stream.Error!);
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); }
            catch (IOException) { /* best effort: ffmpeg may have just exited */ }
        }
        if (stopped && stream.Abandoned)
        {
            // The host is stopping: the stream stays active (no ENDLIST) for the next Ingest to resume; record where it got to.
            stream.State = StreamDescriptor.Running;
            await SaveBestEffortAsync(stream);
            return;
        }
        stream.LastSequence = last;
        await SaveBestEffortAsync(stream);
        // Always end the playlist, even after a failure, so players stop waiting for more.
        await ingestor.EndAsync(stream.Id, last);
        try
        {
            await _credentials.ForgetAsync(stream.Id);
        }
        catch (IOException e)
        {
            LogRegistryFailed(logger, stream.Id.Value, e.Message);
        }
    }

    /// <summary>
    /// Passes chunks through and records progress after each one: the code after <c>yield</c> runs once the
    /// ingestor has stored and announced the chunk and asks for the next.
    /// </summary>
    private async IAsyncEnumerable<ChunkFile> Recorded(RunningStream stream, IAsyncEnumerable<ChunkFile> chunks, bool resumed,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = true;
        await foreach (var chunk in chunks.WithCancellation(cancellationToken))
        {
            // After a restart there is a gap in the timeline: the playlist must mark it.
            yield return resumed && first ? chunk with { Discontinuity = true } : chunk;
            first = false;
            stream.FirstChunkStart ??= chunk.Start;
            stream.LastSequence = chunk.Sequence;
            stream.RecordedSeconds += chunk.DurationSeconds;
            await SaveBestEffortAsync(stream);
        }
    }

    private async Task SaveBestEffortAsync(RunningStream stream)
    {
        try
        {
            await registry.SaveAsync(stream.Descriptor());
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // The descriptor lags by a chunk at worst; resume also looks at the stored chunks and segments.
            LogRegistryFailed(logger, stream.Id.Value, e.Message);
        }
    }

    /// <summary>Host shutdown, if <see cref="StopAllAsync"/> has not run: the same, waiting for every loop.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        _startGate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream} failed: {Error}")]
    private static partial void LogStreamFailed(ILogger logger, string stream, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {Stream} resumed at sequence {Sequence}")]
    private static partial void LogResumed(ILogger logger, string stream, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream} not resumed: {Reason}")]
    private static partial void LogNotResumed(ILogger logger, string stream, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream}: registry not updated: {Error}")]
    private static partial void LogRegistryFailed(ILogger logger, string stream, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream}: inline credentials are not stored here; the stream will not survive a restart")]
    private static partial void LogNotKept(ILogger logger, string stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream}: secret store not reachable yet, resuming later: {Reason}")]
    private static partial void LogResumeLater(ILogger logger, string stream, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream {Stream}: stream.json is unreadable, shown as failed: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string stream, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: {Count} stream(s) left active for the next start to resume")]
    private static partial void LogLeftActive(ILogger logger, int count);

    /// <summary>Applies each report on the capture's own thread, in order (Progress&lt;T&gt; would post them to the pool).</summary>
    private sealed class ReportedProgress(Action<CaptureProgress> apply) : IProgress<CaptureProgress>
    {
        public void Report(CaptureProgress value) => apply(value);
    }

    private sealed record ResumePoint(long NextSequence, double CapturedSeconds, DateTimeOffset? FirstChunkStart);

    private sealed class RunningStream(StreamId id, VideoSource? source, bool live, bool simulateLive, DateTimeOffset startedAt, ResumePoint? resume)
    {
        public StreamId Id { get; } = id;
        public VideoSource Source { get; } = source!;
        public string DisplayName { get; init; } = source?.DisplayName ?? "";
        public bool Live { get; } = live;
        public bool SimulateLive { get; } = simulateLive;
        public bool Resumable { get; init; } = true;
        public SourceCredentials? Credentials { get; init; }
        /// <summary>The full path of a local file, recorded so a restart can reopen it (the API shows the name only).</summary>
        public string? Location { get; init; } = source?.Kind == VideoSourceKind.File ? source.Location : null;
        public ResumePoint? Resume { get; } = resume;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public CancellationTokenSource Stop { get; } = new();
        public Task Task { get; set; } = Task.CompletedTask;
        public volatile string State = StreamDescriptor.Starting;
        public volatile string? Error;
        public volatile bool Abandoned;
        public long Chunks = resume?.NextSequence ?? 0;
        public double CapturedSeconds = resume?.CapturedSeconds ?? 0;
        public double RecordedSeconds = resume?.CapturedSeconds ?? 0;
        public long LastSequence = (resume?.NextSequence ?? 0) - 1;
        public DateTimeOffset? FirstChunkStart = resume?.FirstChunkStart;
        public StreamRetention? Retention { get; init; }
        public IReadOnlyList<Zone>? Zones { get; init; }

        public bool IsActive => State is StreamDescriptor.Starting or StreamDescriptor.Running;

        /// <summary>A stream of an earlier Ingest that is not running here: shown as stored.</summary>
        public static RunningStream Past(StreamId id, StreamDescriptor d) =>
            new(id, null, d.Live, d.SimulateLive, d.StartedAt, new ResumePoint(d.LastSequence + 1, d.DurationSeconds, d.FirstChunkStart))
            {
                DisplayName = DisplayOf(d.Source),
                Resumable = d.Resumable,
                State = d.State,
                Error = d.Error,
                Credentials = d.Credentials,
                Location = d.Location,
                Retention = d.Retention,
                Zones = d.Zones,
            };

        /// <summary>A record written before file sources were shown by name kept the full path as its source.</summary>
        private static string DisplayOf(string source) =>
            Path.IsPathFullyQualified(source) && VideoSource.TryParse(source, out var parsed, out _) ? parsed.DisplayName : source;

        public StreamDescriptor Descriptor() => new(Id.Value, DisplayName, State, Error, Live, SimulateLive, Resumable,
            Interlocked.Read(ref LastSequence), Volatile.Read(ref RecordedSeconds), StartedAt, FirstChunkStart, DateTimeOffset.UtcNow,
            Retention, Location, Credentials, Zones);

        public StreamStatus Status() => new(Id.Value, DisplayName, State, Error, Live,
            Interlocked.Read(ref Chunks), Volatile.Read(ref CapturedSeconds), StartedAt, StreamPlaylists.For(Id.Value))
        {
            Credentials = StreamCredentials.Status(Credentials, Resumable, hasInlineSecrets: !Resumable),
            Zones = Zones,
        };
    }
}
