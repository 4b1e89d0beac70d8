using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Media.Capture;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Ingest;

/// <summary>
/// Runs one capture loop per stream (ffmpeg cutting chunks, stored and announced by the
/// <see cref="ChunkIngestor"/>) and answers what each is doing. Every stream is recorded in the
/// <see cref="StreamRegistry"/> so a restarted Ingest resumes it (<see cref="ResumeAsync"/>).
/// Stopping a stream ends its playlist.
/// </summary>
/// <remarks>
/// A live source that drops (ends, errors, or stalls: no chunk within <see cref="IngestOptions.CameraStallTimeout"/>) is
/// reconnected with backoff; meanwhile the stream stays <c>running</c>, keeps its MAX_STREAMS slot and its
/// <c>error</c> says <c>reconnecting: why</c> until the next chunk. Dark for <see cref="IngestOptions.CameraGiveUpAfter"/>,
/// it ends <c>failed</c> with the reason and frees its slot. A new stream whose source never yields a first chunk fails at
/// once (wrong URL, wrong password) or after the stall timeout (a source that accepts and trickles bytes).
/// </remarks>
public sealed partial class StreamCaptures(ChunkIngestor ingestor, StreamRegistry registry, IngestOptions options, ScratchArea scratchArea,
    ILogger<StreamCaptures> logger) : IAsyncDisposable
{
    /// <summary>Why a credentialed stream is not resumed: we do not persist secrets.</summary>
    public const string NotResumableError = "Ingest restarted and the source's credentials are not persisted; add the stream again.";

    private readonly ConcurrentDictionary<StreamId, RunningStream> _streams = new();
    private readonly SemaphoreSlim _startGate = new(1, 1);

    public IReadOnlyList<StreamStatus> List() => [.. _streams.Values.OrderBy(s => s.StartedAt).Select(s => s.Status())];

    public StreamStatus? Get(StreamId id) => _streams.TryGetValue(id, out var s) ? s.Status() : null;

    /// <summary>
    /// Records the stream and starts capturing; throws <see cref="StreamConflictException"/> when the id is
    /// taken (here or in the store: a stream's sequences must never mix with an older one's) or too many run.
    /// </summary>
    public Task<StreamStatus> StartAsync(StreamId id, VideoSource source, bool simulateLive = false, CancellationToken cancellationToken = default) =>
        StartAsync(id, source, retention: null, simulateLive, cancellationToken);

    /// <summary>As above, with the stream's own retention limits (kept in its descriptor, where Playlist reads them).</summary>
    public async Task<StreamStatus> StartAsync(StreamId id, VideoSource source, StreamRetention? retention, bool simulateLive = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        RunningStream stream;
        await _startGate.WaitAsync(cancellationToken);
        try
        {
            if (_streams.ContainsKey(id) || await registry.ExistsAsync(id, cancellationToken))
                throw new StreamConflictException($"Stream '{id}' already exists; pick another id.");
            if (_streams.Values.Count(s => s.IsActive) >= options.MaxStreams)
                throw new StreamConflictException($"{options.MaxStreams} streams are already running (MAX_STREAMS).");
            var live = simulateLive || source.IsInherentlyLive || source.Kind == VideoSourceKind.Rtsp;
            stream = new RunningStream(id, source, live, simulateLive, DateTimeOffset.UtcNow, resume: null) { Retention = retention };
            // Recorded before the first chunk, so a crash right after start still leaves the stream resumable.
            await registry.SaveAsync(stream.Descriptor(), cancellationToken);
            _streams[id] = stream;
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
    /// stopped). A stream whose source carried credentials cannot be resumed (they are never persisted):
    /// it is marked failed and its playlist ended.
    /// </summary>
    public async Task<int> ResumeAsync(SourcePolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var resumed = 0;
        foreach (var descriptor in await registry.ListAsync(cancellationToken))
        {
            var id = StreamId.Parse(descriptor.Id);
            if (_streams.ContainsKey(id)) continue;
            var last = Math.Max(descriptor.LastSequence, await registry.LastStoredSequenceAsync(id, cancellationToken));
            if (!descriptor.IsActive)
            {
                _streams[id] = RunningStream.Past(id, descriptor);
                continue;
            }

            string? refusal = null;
            VideoSource? source = null;
            if (!descriptor.Resumable) refusal = NotResumableError;
            else if (!VideoSource.TryParse(descriptor.Source, out source, out var error)) refusal = error;
            else
            {
                try { policy.Check(source); }
                catch (ArgumentException e) { refusal = e.Message; }
            }

            if (refusal is not null || source is null)
            {
                var failed = descriptor with { State = StreamDescriptor.Failed, Error = refusal, LastSequence = last, UpdatedAt = DateTimeOffset.UtcNow };
                await registry.SaveAsync(failed, cancellationToken);
                _streams[id] = RunningStream.Past(id, failed);
                await ingestor.EndAsync(id, last, cancellationToken);
                LogNotResumed(logger, id.Value, refusal ?? "unknown source");
                continue;
            }

            var stream = new RunningStream(id, source, descriptor.Live, descriptor.SimulateLive, descriptor.StartedAt,
                new ResumePoint(last + 1, descriptor.DurationSeconds, descriptor.FirstChunkStart)) { Retention = descriptor.Retention };
            _streams[id] = stream;
            stream.Task = Task.Run(() => RunAsync(stream), CancellationToken.None);
            resumed++;
            LogResumed(logger, id.Value, last + 1);
        }
        return resumed;
    }

    /// <summary>Drops a stream that is not running from those shown (its data was purged), so its id is free again.</summary>
    public bool Forget(StreamId id) =>
        _streams.TryGetValue(id, out var stream) && !stream.IsActive
        && _streams.TryRemove(new KeyValuePair<StreamId, RunningStream>(id, stream));

    /// <summary>Stops a running stream; false when there is no such stream.</summary>
    public async Task<bool> StopAsync(StreamId id)
    {
        if (!_streams.TryGetValue(id, out var stream)) return false;
        await stream.Stop.CancelAsync();
        await stream.Task;
        return true;
    }

    private async Task RunAsync(RunningStream stream)
    {
        var scratch = scratchArea.NewCaptureDirectory(stream.Id.Value);
        var resume = stream.Resume;
        var last = (resume?.NextSequence ?? 0) - 1;
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
                stream.Error = p.Reconnecting is { } why ? "reconnecting: " + why.ReplaceLineEndings(" ") : null;
            });
            var chunks = Recorded(stream, capture.CaptureAsync(progress, stream.Stop.Token), resume is not null, stream.Stop.Token);
            await ingestor.IngestAsync(stream.Id, chunks,
                chunk => { last = chunk.Sequence; Interlocked.Increment(ref stream.Chunks); },
                resume?.FirstChunkStart, stream.Stop.Token);
            stream.Error = null;
            stream.State = StreamDescriptor.Ended;
        }
        catch (OperationCanceledException) when (stream.Stop.IsCancellationRequested)
        {
            stream.Error = null;
            stream.State = StreamDescriptor.Ended;
        }
        catch (Exception e)
        {
            stream.Error = e.Message.ReplaceLineEndings(" ");
            stream.State = StreamDescriptor.Failed;
            LogStreamFailed(logger, stream.Id.Value, stream.Error);
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); }
            catch (IOException) { /* best effort: ffmpeg may have just exited */ }
        }
        if (stream.Abandoned) return; // the host is stopping: leave the stream active for the next Ingest to resume
        stream.LastSequence = last;
        await SaveBestEffortAsync(stream);
        // Always end the playlist, even after a failure, so players stop waiting for more.
        await ingestor.EndAsync(stream.Id, last);
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

    /// <summary>
    /// Host shutdown: capture loops stop. With <see cref="IngestOptions.ResumeStreams"/> their streams stay active
    /// in the registry for the next Ingest to resume (DELETE /api/streams/{id} ends a stream on purpose);
    /// otherwise each is ended like a stop.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var s in _streams.Values)
        {
            s.Abandoned = options.ResumeStreams;
            await s.Stop.CancelAsync();
        }
        await Task.WhenAll(_streams.Values.Select(s => s.Task));
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
        public bool Resumable { get; init; } = source is not null && source.DisplayName == source.Location;
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

        public bool IsActive => State is StreamDescriptor.Starting or StreamDescriptor.Running;

        /// <summary>A stream of an earlier Ingest that is not running here: shown as stored.</summary>
        public static RunningStream Past(StreamId id, StreamDescriptor d) =>
            new(id, null, d.Live, d.SimulateLive, d.StartedAt, new ResumePoint(d.LastSequence + 1, d.DurationSeconds, d.FirstChunkStart))
            {
                DisplayName = d.Source,
                Resumable = d.Resumable,
                State = d.State,
                Error = d.Error,
                Retention = d.Retention,
            };

        public StreamDescriptor Descriptor() => new(Id.Value, DisplayName, State, Error, Live, SimulateLive, Resumable,
            Interlocked.Read(ref LastSequence), Volatile.Read(ref RecordedSeconds), StartedAt, FirstChunkStart, DateTimeOffset.UtcNow, Retention);

        public StreamStatus Status() => new(Id.Value, DisplayName, State, Error, Live,
            Interlocked.Read(ref Chunks), Volatile.Read(ref CapturedSeconds), StartedAt, StreamPlaylists.For(Id.Value));
    }
}
