namespace DaprVideo.Core.Streams;

/// <summary>
/// Where a stream's source credentials are, as its record may say (never the credentials themselves).
/// <see cref="Secret"/>: the name of a secret (keys <c>username</c>, <c>password</c>) in the deployment's secret store.
/// <see cref="Kept"/>: the host keeps the credentialed source in its own credentials file, by stream id (embedded).
/// Neither: the credentials were given inline and live only as long as the capture that got them.
/// </summary>
public sealed record SourceCredentials(string? Secret = null, bool Kept = false)
{
    /// <summary>True when a restarted Ingest can get the credentials back.</summary>
    public bool SurvivesRestart => Secret is not null || Kept;
}
