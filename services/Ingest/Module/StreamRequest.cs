using DaprVideo.Core.Streams;

namespace DaprVideo.Ingest;

/// <summary>
/// Body of <c>POST /api/streams</c>; <see cref="Retention"/> (the deployment's applies), <see cref="Credentials"/> and
/// <see cref="Zones"/> (named polygons, normalised coordinates) are optional.
/// </summary>
public sealed record StreamRequest(string? Id, string? Source, RetentionRequest? Retention = null, CredentialsRequest? Credentials = null,
    IReadOnlyList<Zone>? Zones = null);

/// <summary>
/// The source's credentials, given once: inline <c>{"username": "...", "password": "..."}</c> (embedded: kept in the
/// data folder's credentials file; distributed: for this run only), or a reference <c>{"secret": "name"}</c> to a secret
/// with keys <c>username</c> and <c>password</c> in the Dapr secret store (distributed; only the name is recorded).
/// </summary>
public sealed record CredentialsRequest(string? Username = null, string? Password = null, string? Secret = null);
