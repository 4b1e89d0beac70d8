namespace DaprVideo.Tests.DaprSidecar;

/// <summary>What happened to one delivery attempt (test hook).</summary>
public sealed record DeliveryRecord(
    string AppId,
    string Topic,
    string Route,
    string EventId,
    int Attempt,
    bool Duplicate,
    DeliveryOutcome Outcome,
    int HttpStatus);

public enum DeliveryOutcome
{
    Success,
    Retry,
    Drop,
    /// <summary>The app could not be reached (connection refused, reset): retried.</summary>
    Unreachable,
}

/// <summary>A message that ended without SUCCESS.</summary>
public sealed record UndeliveredMessage(string Topic, string EventId, string? DeadLetterTopic, string Reason);
