using System.Collections.Concurrent;
using DaprVideo.Core.Media;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Streams;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Ingest;

/// <summary>
/// Runs one capture loop per stream (ffmpeg cutting chunks, stored and announced by the
/// <see cref="ChunkIngestor"/>) and answers what each is doing. Stopping a stream ends its playlist.
/// </summary>
public sealed partial class StreamManager(ChunkIngestor ingestor, IngestOptions options, ILogger<StreamManager> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<StreamId, RunningStream> _streams = new();
    private readonly Lock _startGate = new();

    public IReadOnlyList<StreamStatus> List() => [.. _streams.Values.OrderBy(s => s.StartedAt).Select(s => s.Status())];

    public StreamStatus? Get(StreamId id) => _streams.TryGetValue(id, out var s) ? s.Status() : null;

    /// <summary>Starts capturing; throws <see cref="StreamConflictException"/> when the id is taken or too many streams run.</summary>
    public StreamStatus Start(StreamId id, VideoSource source, bool simulateLive = false)
    {
        RunningStream stream;
        lock (_startGate)
        {
            if (_streams.ContainsKey(id))
                throw new StreamConflictException($"Stream '{id}' already exists; pick another id.");
            if (_streams.Values.Count(s => s.IsActive) >= options.MaxStreams)
                throw new StreamConflictException($"{options.MaxStreams} streams are already running (MAX_STREAMS).");
            var live = simulateLive || source.IsInherentlyLive || source.Kind == VideoSourceKind.Rtsp;
            stream = new RunningStream(id, source, live);
            _streams[id] = stream;
        }
        stream.Task = Task.Run(() => RunAsync(stream, simulateLive));
        return stream.Status();
    }

    /// <summary>Stops a running stream; false when there is no such stream.</summary>
    public async Task<bool> StopAsync(StreamId id)
    {
        if (!_streams.TryGetValue(id, out var stream)) return false;
        await stream.Stop.CancelAsync();
        await stream.Task;
        return true;
    }

    private async Task RunAsync(RunningStream stream, bool simulateLive)
    {
        var scratch = Path.Combine(options.ScratchDirectory, stream.Id.Value + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(scratch);
        var last = -1L;
        try
        {
            var capture = new ChunkCapture(stream.Source, scratch, new ChunkCaptureOptions
            {
                SegmentSeconds = options.SegmentSeconds,
                SimulateLive = simulateLive,
                Live = stream.Live ? null : false,
            });
            stream.State = "running";
            var progress = new Progress<CaptureProgress>(p => stream.CapturedSeconds = p.CapturedSeconds);
            await ingestor.IngestAsync(stream.Id, capture.CaptureAsync(progress, stream.Stop.Token),
                chunk => { last = chunk.Sequence; Interlocked.Increment(ref stream.Chunks); }, stream.Stop.Token);
            stream.State = "ended";
        }
        catch (OperationCanceledException) when (stream.Stop.IsCancellationRequested)
        {
            stream.State = "ended";
        }
        catch (Exception e)
        {
            stream.Error = e.Message.ReplaceLineEndings(" ");
            stream.State = "failed";
            LogStreamFailed(logger, stream.Id.Value, stream.Error);
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); }
            catch (IOException) { /* best effort: ffmpeg may have just exited */ }
        }
        // Always end the playlist, even after a failure, so players stop waiting for more.
        await ingestor.EndAsync(stream.Id, last);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _streams.Values) await s.Stop.CancelAsync();
        await Task.WhenAll(_streams.Values.Select(s => s.Task));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream} failed: {Error}")]
    private static partial void LogStreamFailed(ILogger logger, string stream, string error);

    private sealed class RunningStream(StreamId id, VideoSource source, bool live)
    {
        public StreamId Id { get; } = id;
        public VideoSource Source { get; } = source;
        public bool Live { get; } = live;
        public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
        public CancellationTokenSource Stop { get; } = new();
        public Task Task { get; set; } = Task.CompletedTask;
        public volatile string State = "starting";
        public volatile string? Error;
        public long Chunks;
        public double CapturedSeconds;

        public bool IsActive => State is "starting" or "running";

        public StreamStatus Status() => new(Id.Value, Source.DisplayName, State, Error, Live,
            Interlocked.Read(ref Chunks), Volatile.Read(ref CapturedSeconds), StartedAt, StreamPlaylists.For(Id.Value));
    }
}
