namespace DaprVideo.Ingest;

/// <summary>Body of <c>POST /api/streams</c>.</summary>
public sealed record StreamRequest(string? Id, string? Source);
