using System.Text.Json;

namespace DaprVideo.Core.Streams;

/// <summary>
/// The stream registry entry Ingest keeps at <see cref="ObjectKeys.StreamDescriptor"/>: what the API shows
/// about a stream plus what a restarted Ingest needs to resume it. <see cref="Source"/> is the display form
/// (<c>VideoSource.DisplayName</c>: no credentials, a local file by its name only). Secrets never go in here:
/// <see cref="Location"/> is the full path of a local file (never shown by the API); <see cref="Credentials"/> says
/// where a restarted Ingest finds the source's credentials (a secret reference, or the host's own credentials file);
/// <see cref="Resumable"/> is false when it cannot (inline credentials in distributed mode: not kept anywhere).
/// <see cref="Retention"/> is the stream's own retention (null: the deployment's); Playlist reads it from here.
/// <see cref="Zones"/>: the stream's named areas (null: none), sent along with every chunk.
/// Written only by the Ingest that runs the stream (one writer per stream).
/// </summary>
public sealed record StreamDescriptor(
    string Id,
    string Source,
    string State,
    string? Error,
    bool Live,
    bool SimulateLive,
    bool Resumable,
    long LastSequence,
    double DurationSeconds,
    DateTimeOffset StartedAt,
    DateTimeOffset? FirstChunkStart,
    DateTimeOffset UpdatedAt,
    StreamRetention? Retention = null,
    string? Location = null,
    SourceCredentials? Credentials = null,
    IReadOnlyList<Zone>? Zones = null)
{
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Ended = "ended";
    public const string Failed = "failed";

    /// <summary>True while a capture loop should be running for it (what a restarted Ingest resumes).</summary>
    public bool IsActive => State is Starting or Running;

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, CoreJsonContext.Default.StreamDescriptor);

    /// <summary>Reads a stored descriptor; bad content throws <see cref="InvalidDataException"/> saying why.</summary>
    public static StreamDescriptor Parse(ReadOnlySpan<byte> json)
    {
        StreamDescriptor? descriptor;
        try
        {
            descriptor = JsonSerializer.Deserialize(json, CoreJsonContext.Default.StreamDescriptor);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Stream descriptor is not valid JSON: {e.Message}", e);
        }
        if (descriptor is null) throw new InvalidDataException("Stream descriptor is JSON null.");
        if (!StreamId.TryParse(descriptor.Id, out _)) throw new InvalidDataException($"Stream descriptor has an invalid id '{descriptor.Id}'.");
        if (descriptor.State is not (Starting or Running or Ended or Failed))
            throw new InvalidDataException($"Stream descriptor {descriptor.Id} has unknown state '{descriptor.State}'.");
        if (descriptor.Retention is { } r && (r.MaxAgeSeconds is not null and not > 0 || r.MaxBytes is < 1))
            throw new InvalidDataException($"Stream descriptor {descriptor.Id} has retention limits that are not positive.");
        if (Zone.Problem(descriptor.Zones) is { } zoneProblem) throw new InvalidDataException($"Stream descriptor {descriptor.Id}: {zoneProblem}");
        if (descriptor.LastSequence < -1) throw new InvalidDataException($"Stream descriptor {descriptor.Id} has last sequence {descriptor.LastSequence}.");
        return descriptor;
    }
}
