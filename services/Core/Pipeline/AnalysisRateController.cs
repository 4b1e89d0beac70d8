using DaprVideo.Core.Events;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// Graceful overload: keeps live video real time when more cameras arrive than the cores can annotate, by lowering the
/// rate frames are analysed at (every stream alike, between DETECT_FPS and the floor DETECT_FPS_MIN) before anything
/// else gives, and saying when even the floor is not enough, so new streams are refused instead of every stream
/// falling behind. Video is never dropped: a chunk is always decoded, drawn and encoded whole; only the number of frames
/// handed to the detector changes.
/// </summary>
/// <remarks>
/// <para><b>What it measures.</b> Per annotated chunk, its <i>lag</i>: the wall time from the chunk's last frame
/// (<see cref="ChunkCaptured.Start"/> + duration, Ingest's clock) to its segment being stored and announced. Lag is
/// the sum of the chunk's queue age and its processing time, so it grows whichever of the two is the bottleneck (a busy
/// detector, busy ffmpeg ends, a backlog in the bus or the broker), and it is what a viewer of the live edge feels.
/// What counts is the lag <i>beyond the stream's own fixed latency</i>: each stream's smallest lag so far (one chunk's
/// processing, plus however late its source's first frame came after capture started, which shifts every chunk's time
/// alike), taken as at most one chunk duration (2 s at least) so a stream that starts behind still counts as behind.
/// From consecutive chunks of one stream it also takes the lag's <i>growth</i>, seconds of lag per second of video:
/// positive means processing a second of video takes more than a second (falling behind), negative means a backlog is
/// draining. Both are smoothed (exponential average over chunks of all streams) and compared with bounds in chunk
/// durations.</para>
/// <para><b>How it controls.</b> AIMD with hysteresis, one rate for the whole process. Lag above the high bound and
/// still growing at the current rate (measured between two chunks of a stream both analysed at it): multiply the rate
/// by <see cref="AnalysisRateOptions.DecreaseFactor"/>, at most once per chunk duration, so the new rate shows its
/// effect before the next step and a backlog left by the old one is not mistaken for the new one's. Lag below the low
/// bound for <see cref="AnalysisRateOptions.HoldChunks"/> chunk durations: add a tenth of DETECT_FPS per chunk duration.
/// Between the bounds, or while the lag holds or shrinks, the rate holds. Multiplicative decrease reacts quickly when
/// cameras are added, additive increase probes back carefully, and the dead band plus the hold keep it from flapping on
/// noise. One rate and not one per stream: the streams compete for the same cores, so a stream that backed off alone
/// would only hand its share to the others; a common rate is the fair share and cannot fight itself.</para>
/// <para><b>When it refuses.</b> <see cref="Overloaded"/> holds when the rate is at the floor and the lag is above
/// the low bound (still behind, or draining a backlog): there is no rate left to give, so another camera would only
/// make every stream later. Streams already running keep running at the floor; nothing they captured is dropped.
/// While the rate is degraded, new streams are paced (<see cref="AdmissionPacing"/>): one per hold time, so each new
/// camera's load shows before the next is judged, and none at the floor even when caught up, until the rate has
/// climbed (room shown).</para>
/// <para><b>Chunks already late.</b> A chunk whose queue age at start exceeds its stream's fixed latency by more than
/// twice the high bound is analysed at the floor whatever the current rate: spending the full rate on video that is
/// already late only makes every chunk behind it later. It is still annotated and encoded whole. A chunk that finishes
/// that far behind sets the rate to the floor outright: the backlog runs at the floor anyway, and from there the
/// controller can tell whether even the floor keeps up.</para>
/// <para>After a quiet spell (no chunk finished for twice the hold time) the load that lowered the rate is gone and it
/// starts again from DETECT_FPS. Driven by a <see cref="TimeProvider"/>; it never sleeps or starts timers. Thread-safe.</para>
/// </remarks>
public sealed class AnalysisRateController : IAdmissionSignal
{
    private readonly AnalysisRateOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StreamSample> _streams = new(StringComparer.Ordinal);
    private readonly AdmissionPacing _pacing = new();

    private double _rate;
    private double _lag;
    private double _growth;
    private bool _hasLag;
    private bool _hasGrowth;
    private double _chunkSeconds = 3;
    private DateTimeOffset _lastChange = DateTimeOffset.MinValue;
    private DateTimeOffset _lastObservation = DateTimeOffset.MinValue;
    private DateTimeOffset? _lowSince;

    public AnalysisRateController(AnalysisRateOptions options, TimeProvider? timeProvider = null, string replica = "local")
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _rate = options.MaxFps;
        Replica = replica;
    }

    public AnalysisRateOptions Options => _options;

    /// <summary>Who this controller speaks for in a stored load record.</summary>
    public string Replica { get; }

    /// <summary>The rate, in frames per second of video, chunks are analysed at now.</summary>
    public double CurrentFps
    {
        get { lock (_gate) { ExpireIfIdle(_time.GetUtcNow()); return Rounded(_rate); } }
    }

    /// <summary>True when even the floor does not keep up: new streams should be refused.</summary>
    public bool Overloaded
    {
        get { lock (_gate) return IsOverloaded(_time.GetUtcNow()); }
    }

    /// <summary>The rate to analyse <paramref name="chunk"/> at, decided as its work starts.</summary>
    public double RateFor(ChunkCaptured chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var now = _time.GetUtcNow();
        var seconds = ChunkSeconds(chunk);
        var age = (now - EndOf(chunk, seconds)).TotalSeconds;
        lock (_gate)
        {
            ExpireIfIdle(now);
            var usual = _streams.TryGetValue(chunk.StreamId, out var known) ? known.Baseline : 0;
            return Rounded(age - usual > 2 * HighLag(seconds) ? _options.FloorFps : _rate);
        }
    }

    /// <summary>Tells the controller <paramref name="chunk"/>'s segment is stored and announced now; may change the rate.</summary>
    /// <param name="analysedFps">
    /// The rate <see cref="RateFor"/> gave the chunk. Only a chunk analysed at the current rate may change it: one
    /// analysed at an older rate shows what that rate did, so lowering the rate again for it would overshoot.
    /// </param>
    public void Completed(ChunkCaptured chunk, double? analysedFps = null)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var now = _time.GetUtcNow();
        var seconds = ChunkSeconds(chunk);
        var end = EndOf(chunk, seconds);
        var lag = (now - end).TotalSeconds;
        lock (_gate)
        {
            ExpireIfIdle(now);
            _chunkSeconds = seconds;
            _lastObservation = now;

            var current = Rounded(_rate);
            var rate = analysedFps ?? current;
            double baseline;
            if (_streams.TryGetValue(chunk.StreamId, out var previous))
            {
                if (chunk.Sequence <= previous.Sequence) return; // a redelivery or a late straggler says nothing new
                // Growth says what the current rate does only between two chunks both analysed at it.
                var media = (end - previous.End).TotalSeconds;
                if (media > 0 && Same(previous.Rate, current) && Same(rate, current))
                    Smooth(ref _growth, ref _hasGrowth, (lag - previous.Lag) / media);
                baseline = Math.Min(previous.Baseline, lag);
            }
            else
            {
                baseline = Math.Min(lag, Math.Max(seconds, _options.MinHighLagSeconds));
            }
            _streams[chunk.StreamId] = new StreamSample(chunk.Sequence, end, lag, baseline, rate, now);
            var excess = Math.Max(0, lag - baseline);
            Smooth(ref _lag, ref _hasLag, excess);
            Forget(now);
            // Far behind, the chunks go at the floor anyway (RateFor): the rate is the floor in fact; make it so.
            if (excess > 2 * HighLag(seconds) && _rate > _options.FloorFps) Change(_options.FloorFps, now);
            Decide(now, Same(rate, current));
        }
    }

    /// <summary>A snapshot for the API, the logs and the stored load record.</summary>
    public AnalysisLoad Load()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            ExpireIfIdle(now);
            return new AnalysisLoad(Replica, Rounded(_rate), _options.MaxFps, _options.FloorFps,
                Math.Round(_hasLag ? _lag : 0, 3), Math.Round(_hasGrowth ? _growth : 0, 3), IsOverloaded(now), now);
        }
    }

    public ValueTask<AdmissionRefusal?> CheckAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (IsOverloaded(now)) return ValueTask.FromResult<AdmissionRefusal?>(new(AnalysisLoad.RefusalMessage(_options.FloorFps), RetryAfter()));
            var rate = Rounded(_rate);
            return ValueTask.FromResult(_pacing.Admit(rate < _options.MaxFps - 1e-9, rate, _options.FloorFps, TimeSpan.FromSeconds(HoldSeconds), now));
        }
    }

    /// <summary>How long a refused caller should wait: the hold time, in which the rate cannot have recovered anyway.</summary>
    private TimeSpan RetryAfter() => TimeSpan.FromSeconds(Math.Max(5, Math.Ceiling(HoldSeconds)));

    private void Decide(DateTimeOffset now, bool atCurrentRate)
    {
        var floor = _options.FloorFps;
        var max = _options.MaxFps;
        if (_lag < LowLag(_chunkSeconds)) _lowSince ??= now;
        else _lowSince = null;

        // Let the chunks analysed at the last rate show their effect before changing it again.
        if (atCurrentRate && (now - _lastChange).TotalSeconds >= Math.Max(0.5, _chunkSeconds))
        {
            if (_lag > HighLag(_chunkSeconds) && Growing && _rate > floor)
                Change(Math.Max(floor, _rate * _options.DecreaseFactor), now);
            else if (_lowSince is { } low && (now - low).TotalSeconds >= HoldSeconds && _rate < max)
                Change(Math.Min(max, _rate + _options.IncreaseShare * max), now);
        }
    }

    /// <summary>A new rate; the growth measured at the old one no longer applies.</summary>
    private void Change(double rate, DateTimeOffset now)
    {
        _rate = rate;
        _lastChange = now;
        _hasGrowth = false;
        _growth = 0;
    }

    /// <summary>The lag still grows at the current rate (measured, and above the drain rate).</summary>
    private bool Growing => _hasGrowth && _growth > -_options.DrainRate;

    private bool IsOverloaded(DateTimeOffset now)
    {
        ExpireIfIdle(now);
        return _rate <= _options.FloorFps + 1e-9 && _hasLag && _lag > LowLag(_chunkSeconds);
    }

    private static bool Same(double a, double b) => Math.Abs(a - b) < 1e-9;

    /// <summary>No chunk finished for twice the hold time: whatever lowered the rate has gone.</summary>
    private void ExpireIfIdle(DateTimeOffset now)
    {
        if (_lastObservation == DateTimeOffset.MinValue || (now - _lastObservation).TotalSeconds <= 2 * HoldSeconds) return;
        _rate = _options.MaxFps;
        _hasLag = _hasGrowth = false;
        _lag = _growth = 0;
        _lowSince = null;
        _lastChange = _lastObservation = DateTimeOffset.MinValue;
        _streams.Clear();
    }

    /// <summary>Streams that stopped sending chunks leave the per-stream samples.</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (stream, sample) in _streams.ToList())
            if ((now - sample.At).TotalSeconds > 2 * HoldSeconds) _streams.Remove(stream);
    }

    private void Smooth(ref double value, ref bool has, double sample)
    {
        value = has ? value + _options.Smoothing * (sample - value) : sample;
        has = true;
    }

    private double HoldSeconds => _options.HoldChunks * _chunkSeconds;

    private double LowLag(double chunkSeconds) => Math.Max(_options.LowLagChunks * chunkSeconds, _options.MinLowLagSeconds);

    private double HighLag(double chunkSeconds) => Math.Max(_options.HighLagChunks * chunkSeconds, _options.MinHighLagSeconds);

    private static double ChunkSeconds(ChunkCaptured chunk) =>
        double.IsFinite(chunk.DurationSeconds) && chunk.DurationSeconds > 0.05 ? chunk.DurationSeconds : 0.05;

    private static DateTimeOffset EndOf(ChunkCaptured chunk, double seconds) => chunk.Start + TimeSpan.FromSeconds(seconds);

    private static double Rounded(double fps) => Math.Round(fps, 2);

    /// <param name="Baseline">The stream's fixed latency: its smallest lag so far, at most a chunk duration (2 s at least).</param>
    /// <param name="Rate">The rate the chunk was analysed at.</param>
    private sealed record StreamSample(long Sequence, DateTimeOffset End, double Lag, double Baseline, double Rate, DateTimeOffset At);
}
