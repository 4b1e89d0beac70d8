using System.Diagnostics;
using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Inference;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.Inference;

/// <summary>
/// The distributed Inference host stopping with a chunk in work: its delivery is answered RETRY (Dapr: redeliver),
/// never SUCCESS for an unfinished chunk, and the host stops within SHUTDOWN_TIMEOUT.
/// </summary>
public sealed class InferenceStopTests
{
    [Fact]
    public async Task A_chunk_still_in_work_at_the_end_of_the_drain_is_answered_RETRY_and_the_host_stops_in_time()
    {
        var backend = new StallingBackend(new InMemoryObjectBackend());
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions
        {
            Bindings = new Dictionary<string, S3BindingEmulator> { ["objectstore"] = new S3BindingEmulator(backend) },
            Delivery = new DeliveryPolicy { MaxAttempts = 1 },
        });
        var settings = new Dictionary<string, string?>
        {
            ["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcEndpoint,
            ["DAPR_HTTP_ENDPOINT"] = sidecar.HttpEndpoint,
            ["TF_SERVING_URL"] = "grpc://127.0.0.1:9",
            ["SHUTDOWN_TIMEOUT"] = "3",
        };
        var app = await ServiceApp.StartAsync(InferenceModule.AppId, InferenceModule.DefaultPort, InferenceApp.AddServices, InferenceApp.MapEndpoints, settings);
        await sidecar.ConnectAppAsync(app.BaseAddress, InferenceModule.AppId);
        var id = StreamId.Parse("cam");
        await backend.PutAsync(ObjectKeys.Chunk(id, 0), [0x47, 0, 0, 0], "video/mp2t", CancellationToken.None);
        await app.Services.GetRequiredService<IEventPublisher>().PublishAsync(Topics.Chunks,
            new ChunkCaptured(id.Value, 0, ObjectKeys.Chunk(id, 0), DateTimeOffset.UtcNow, 0, 1, false));
        await Eventually.HoldsAsync(() => Task.FromResult(backend.Stalled), n => n > 0, "the chunk in work (its read stalls)", 30);

        var clock = Stopwatch.StartNew();
        await app.DisposeAsync(); // Host.StopAsync: the drain, then Kestrel
        clock.Stop();

        var delivery = await Eventually.HoldsAsync(() => Task.FromResult(sidecar.PubSub.Deliveries.Where(d => d.Topic == Topics.Chunks).ToList()),
            d => d.Count > 0, "the chunk delivery's answer", 10);
        Assert.Equal(DeliveryOutcome.Retry, delivery[0].Outcome);
        Assert.DoesNotContain(sidecar.PubSub.Deliveries, d => d.Outcome is DeliveryOutcome.Success or DeliveryOutcome.Drop);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
        Console.WriteLine($"inference stop with a stuck chunk (SHUTDOWN_TIMEOUT 3 s): {clock.Elapsed.TotalSeconds:F2} s, answer {delivery[0].Outcome}");
        Assert.Null(await backend.GetAsync(ObjectKeys.SegmentRecord(id, 0), CancellationToken.None));
    }

    /// <summary>Reads of raw chunks hang until the call is cancelled: a chunk that takes longer than the drain.</summary>
    private sealed class StallingBackend(IObjectBackend inner) : IObjectBackend
    {
        private int _stalled;
        public int Stalled => Volatile.Read(ref _stalled);
        public string Bucket => inner.Bucket;
        public Uri Endpoint => inner.Endpoint;
        public Task<string?> PutAsync(string key, byte[] content, string? contentType, CancellationToken cancellationToken) => inner.PutAsync(key, content, contentType, cancellationToken);

        public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
        {
            if (key.Contains("/chunks/", StringComparison.Ordinal) && cancellationToken.CanBeCanceled)
            {
                Interlocked.Increment(ref _stalled);
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            return await inner.GetAsync(key, cancellationToken);
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
        public Task<ObjectListing> ListAsync(string prefix, string marker, int maxKeys, string delimiter, CancellationToken cancellationToken) =>
            inner.ListAsync(prefix, marker, maxKeys, delimiter, cancellationToken);
    }
}
