using System.Diagnostics;
using Dapr.Client;
using DaprVideo.Core.Streams;
using DaprVideo.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.DaprSidecar.Resiliency;
using DaprVideo.Tests.DaprSidecarTests.Resiliency;

namespace DaprVideo.Tests.Distributed.Regressions;

/// <summary>
/// Misses are normal for the pipeline; under daprd every binding call runs through the component's outbound policy
/// (dapr pkg/runtime/processor/binding/send.go). With the retry and breaker the object store used to have, a run of
/// misses opened the breaker and the next read of an object that exists failed: everything stalled.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ObjectStoreMissTests
{
    private static async Task<(DaprSidecarStandIn, DaprClient, DaprObjectStore, InMemoryObjectBackend)> StartAsync(string resiliency)
    {
        var backend = new InMemoryObjectBackend();
        var sidecar = await DaprSidecarStandIn.StartAsync(SidecarOptions.WithObjectStore(backend) with { Resiliency = ResiliencySpec.Parse([resiliency]) });
        var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).Build();
        return (sidecar, client, new DaprObjectStore(client, new DaprOptions()), backend);
    }

    [Fact]
    public async Task Under_the_old_policy_a_run_of_misses_opens_the_breaker_and_blocks_reads_of_existing_objects()
    {
        var (sidecar, client, store, backend) = await StartAsync(CommittedResiliencyPolicyTests.PolicyWithObjectRetryAndBreaker);
        await using var _ = sidecar;
        using var __ = client;
        var id = StreamId.Parse("miss");
        await backend.PutAsync(ObjectKeys.Segment(id, 0), [0x47], "video/mp2t", default);

        // The first miss is retried with backoff by daprd (1 + 4 attempts) and trips the breaker on its fifth failure.
        var clock = Stopwatch.StartNew();
        Assert.Null(await store.GetAsync(ObjectKeys.SegmentRecord(id, 9)));
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(1), $"a miss took only {clock.Elapsed}: no daprd retries?");
        Assert.Equal(5, sidecar.Bindings["objectstore"].Operations.Count);

        var e = await Assert.ThrowsAsync<IOException>(() => store.GetAsync(ObjectKeys.Segment(id, 0)));
        Assert.Contains("circuit breaker is open", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_the_committed_policy_misses_cost_one_call_each_and_never_block_reads()
    {
        var committed = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "components", "redis", "resiliency.yaml"));
        var (sidecar, client, store, backend) = await StartAsync(committed);
        await using var _ = sidecar;
        using var __ = client;
        var id = StreamId.Parse("miss");
        await backend.PutAsync(ObjectKeys.Segment(id, 0), [0x47], "video/mp2t", default);

        for (var i = 1; i <= 20; i++) Assert.Null(await store.GetAsync(ObjectKeys.SegmentRecord(id, i)));
        Assert.Equal(20, sidecar.Bindings["objectstore"].Operations.Count);
        Assert.Equal([0x47], await store.GetAsync(ObjectKeys.Segment(id, 0)));
    }
}
