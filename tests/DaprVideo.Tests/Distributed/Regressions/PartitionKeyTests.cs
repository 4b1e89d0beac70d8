using System.Text;
using Dapr.Client;
using DaprVideo.Core.Events;
using DaprVideo.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.DaprSidecar.Brokers;
using DaprVideo.Tests.DaprSidecar.PubSub;

namespace DaprVideo.Tests.Distributed.Regressions;

/// <summary>
/// Kafka hands out one message at a time per partition; without a key every event lands on a random partition and
/// one stream's chunks race each other over several. The publisher keys each event by its stream (Dapr metadata
/// <c>partitionKey</c>, components-contrib common/component/kafka/producer.go), so a stream keeps its partition.
/// </summary>
public sealed class PartitionKeyTests
{
    [Fact]
    public async Task Every_event_of_a_stream_lands_on_the_partition_of_its_stream_id()
    {
        var cluster = new KafkaClusterModel();
        cluster.CreateTopic(Topics.Chunks, partitions: 6);
        var metadata = new Dictionary<string, string> { ["brokers"] = cluster.BootstrapServers, ["consumerGroup"] = "ingest", ["authType"] = "none" };
        var broker = PubSubBrokers.Create("pubsub.kafka", metadata, "ingest", cluster);
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions
        {
            AppId = "ingest",
            PubSubs = new Dictionary<string, PubSubComponent> { ["pubsub"] = new("pubsub", broker, TopicRules.None) },
        });
        using var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).Build();
        var publisher = new DaprEventPublisher(client, new DaprOptions());

        string[] streams = ["cam-a", "cam-b", "cam-c", "cam-d"];
        for (var seq = 0; seq < 5; seq++)
            foreach (var id in streams)
                await publisher.PublishAsync(Topics.Chunks, new ChunkCaptured(id, seq, $"streams/{id}/chunks/{seq:D6}.ts", DateTimeOffset.UnixEpoch, seq, 1, false));

        foreach (var id in streams)
        {
            var partition = SaramaPartitioner.ForKey(Encoding.UTF8.GetBytes(id), 6);
            var records = cluster.Records(Topics.Chunks, partition).Where(r => r.Key is not null && Encoding.UTF8.GetString(r.Key) == id).ToList();
            // All five on one partition, in publish order.
            var sequences = records.Select(r => (long)System.Text.Json.Nodes.JsonNode.Parse(r.Value)!["data"]!["sequence"]!).ToList();
            Assert.Equal([0L, 1, 2, 3, 4], sequences);
        }
        Assert.Equal(20, Enumerable.Range(0, 6).Sum(p => cluster.Records(Topics.Chunks, p).Count));
    }
}
