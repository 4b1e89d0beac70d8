namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>daprd (or the Dapr CLI) refuses to start: the message is what it would log as fatal.</summary>
public sealed class DaprStartupException(string message) : Exception(message);
