using System.Globalization;
using System.Text.Json;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// What an <see cref="AnalysisRateController"/> says about its process's load at <see cref="UpdatedAt"/>: the rate
/// chunks are analysed at now, the configured rate and floor, the smoothed lag (seconds from a chunk's last frame to
/// its segment being stored, beyond its stream's fixed latency) and how fast it grows (seconds per second), and whether
/// new streams must be refused.
/// Distributed Inference replicas store it as a load record (<see cref="Streams.ObjectKeys.InferenceLoad"/>) for Ingest.
/// </summary>
public sealed record AnalysisLoad(
    string Replica,
    double RateFps,
    double DetectFps,
    double FloorFps,
    double LagSeconds,
    double LagGrowth,
    bool Overloaded,
    DateTimeOffset UpdatedAt)
{
    public const string Normal = "normal";
    public const string Degraded = "degraded";
    public const string OverloadedState = "overloaded";

    /// <summary><c>normal</c> (analysing at DETECT_FPS), <c>degraded</c> (below it) or <c>overloaded</c> (at the floor and still behind).</summary>
    public string State => Overloaded ? OverloadedState : RateFps < DetectFps - 1e-9 ? Degraded : Normal;

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, CoreJsonContext.Default.AnalysisLoad);

    /// <summary>Reads a stored load record; bad content throws <see cref="InvalidDataException"/>.</summary>
    public static AnalysisLoad Parse(ReadOnlySpan<byte> json)
    {
        AnalysisLoad? load;
        try
        {
            load = JsonSerializer.Deserialize(json, CoreJsonContext.Default.AnalysisLoad);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Load record is not valid JSON: {e.Message}", e);
        }
        if (load is null || load.Replica is null || !double.IsFinite(load.FloorFps) || load.FloorFps <= 0)
            throw new InvalidDataException("Load record lacks its replica or floor.");
        return load;
    }

    /// <summary>The one-line reason a new stream is refused at this floor.</summary>
    public static string RefusalMessage(double floorFps) => string.Create(CultureInfo.InvariantCulture,
        $"Analysis is at its floor of {floorFps:0.##} fps on every stream; this machine cannot take another camera.");
}
