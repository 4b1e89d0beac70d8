using DaprVideo.ModelServer.Serving;
using Grpc.Core;

namespace DaprVideo.ModelServer.Grpc;

/// <summary>Maps serving errors to gRPC statuses the way TF Serving reports them.</summary>
internal static class ServingCall
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ServingException ex)
        {
            throw new RpcException(new Status(ex.Code, ex.Message));
        }
    }
}
