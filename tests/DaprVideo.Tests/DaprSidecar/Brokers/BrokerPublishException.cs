namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// A publish the component refused. <see cref="Retriable"/> mirrors contrib pubsub/errors.go:
/// NewRetriableError (gRPC Unavailable, daprd's resiliency may retry) versus NewTerminalError (FailedPrecondition).
/// </summary>
public sealed class BrokerPublishException : Exception
{
    public BrokerPublishException() { }

    public BrokerPublishException(string message) : base(message) { }

    public BrokerPublishException(string message, Exception innerException) : base(message, innerException) { }

    public BrokerPublishException(string message, bool retriable, Exception? innerException = null) : base(message, innerException) =>
        Retriable = retriable;

    public bool Retriable { get; }
}
