using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DaprVideo.ModelServer;

/// <summary>The ports actually bound (after start), useful when the options asked for port 0.</summary>
public sealed class ModelServerEndpoints
{
    internal ListenOptions? Grpc { get; set; }
    internal ListenOptions? Rest { get; set; }

    public int GrpcPort => Grpc?.IPEndPoint?.Port ?? 0;

    public int RestPort => Rest?.IPEndPoint?.Port ?? 0;
}
