namespace DaprVideo.Ingest;

/// <summary>Body of <c>POST /api/streams</c>; <see cref="Retention"/> is optional (the deployment's retention applies).</summary>
public sealed record StreamRequest(string? Id, string? Source, RetentionRequest? Retention = null);
