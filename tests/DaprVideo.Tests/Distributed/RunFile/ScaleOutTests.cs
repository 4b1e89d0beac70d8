using System.Net;
using System.Net.Http.Json;
using DaprVideo.Core.Streams;
using DaprVideo.Tests.DaprSidecar.Brokers;
using DaprVideo.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Distributed.RunFile;

/// <summary>
/// Three live cameras at once through two Inference and two Playlist replicas (separate processes, each with its
/// sidecar), under Redis Streams and under Kafka: every segment exactly once, playlists byte-identical across
/// replicas, nothing dead-lettered. Prints chunk-stored → listed-in-live.m3u8 latency.
/// </summary>
[Collection(CephRgwCollectionDefinition.Name)]
[Trait("Speed", "Slow")]
public sealed class ScaleOutTests(CephRgwFixture ceph, RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>
{
    private static readonly string[] Streams = ["cam-a", "cam-b", "cam-c"];

    [Theory]
    [InlineData("redis")]
    [InlineData("kafka")]
    public async Task Three_streams_two_inference_and_two_playlist_replicas_every_segment_once(string broker)
    {
        var tests = new DaprRunTests(ceph, redis, output);
        // As docs/distributed.md says for Kafka: create the topics with partitions before the first start.
        await using var run = await tests.StartAllAsync(broker, inference: 2, playlists: 2, kafka =>
        {
            foreach (var topic in new[] { "chunks", "segments" }) kafka.CreateTopic(topic, partitions: 6);
            kafka.CreateTopic("streams", partitions: 3);
        });
        try
        {
            var ingest = run.Apps.Single(a => a.AppId == "ingest");
            var playlists = run.Apps.Where(a => a.AppId == "playlist").ToList();
            foreach (var id in Streams)
                using (var created = await ingest.Http.PostAsJsonAsync("api/streams", new { id, source = "testsrc:size=320x180:rate=10" }))
                    Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            // Sample live.m3u8 of every stream on replica A until each lists 8 segments.
            var listedAt = new Dictionary<(string, long), long>();
            await Eventually.HoldsAsync(async () =>
            {
                foreach (var id in Streams)
                {
                    var text = await DaprRunTests.TextAsync(playlists[0], $"streams/{id}/live.m3u8");
                    var now = DaprRunTests.Now();
                    foreach (var uri in PipelineEndToEndTests.SegmentUris(text)) listedAt.TryAdd((id, DaprRunTests.Sequence(uri)), now);
                }
                return Streams.Min(id => listedAt.Keys.Count(k => k.Item1 == id));
            }, n => n >= 8, "8 live segments per stream", 240);

            foreach (var id in Streams)
                using (var deleted = await ingest.Http.DeleteAsync($"api/streams/{id}"))
                    Assert.True(deleted.IsSuccessStatusCode, $"DELETE {id}: {deleted.StatusCode}");

            foreach (var id in Streams)
            {
                var index = await Eventually.HoldsAsync(() => DaprRunTests.TextAsync(playlists[0], $"streams/{id}/index.m3u8"),
                    t => t.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal), $"ENDLIST on {id}", 180);
                var uris = PipelineEndToEndTests.SegmentUris(index);
                Assert.Equal(Enumerable.Range(0, uris.Count).Select(s => $"segments/{s:D6}.ts"), uris); // each once, in order
                await Eventually.HoldsAsync(() => DaprRunTests.TextAsync(playlists[1], $"streams/{id}/index.m3u8"),
                    t => t.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal), $"ENDLIST on {id} (replica B)", 60);
                foreach (var name in new[] { "index.m3u8", "live.m3u8" })
                    Assert.Equal(await playlists[0].Http.GetStringAsync($"streams/{id}/{name}"), await playlists[1].Http.GetStringAsync($"streams/{id}/{name}"));
            }

            // Every chunk annotated by exactly one replica, once; both replicas had work; no dead letters anywhere.
            var inference = run.Apps.Where(a => a.AppId == "inference").ToList();
            var successes = inference.SelectMany(a => a.Sidecar.Subscriptions!.Deliveries.Where(d => d.Topic == "chunks" && d.Outcome == DaprSidecar.DeliveryOutcome.Success).Select(d => (a.Name, d.EventId))).ToList();
            Assert.Equal(successes.Count, successes.Select(s => s.EventId).Distinct().Count());
            output.WriteLine($"{broker}: chunks per Inference replica: {string.Join(", ", successes.GroupBy(s => s.Name).Select(g => $"{g.Key} {g.Count()}"))}");
            // One consumer group: the replicas share the chunks (Kafka: round robin over the streams' partitions).
            Assert.Equal(2, successes.Select(s => s.Name).Distinct().Count());
            if (broker == "kafka")
            {
                // Keyed by stream: each stream's chunks stay on its partition, handled by one replica in order.
                var chunkOf = ingest.Sidecar.Published.Where(e => e.Topic == "chunks")
                    .ToDictionary(e => e.EventId, e => ((string)e.Json["data"]!["streamId"]!, (long)e.Json["data"]!["sequence"]!));
                foreach (var stream in successes.GroupBy(s => chunkOf[s.EventId].Item1))
                {
                    Assert.Single(stream.Select(s => s.Name).Distinct());
                    var order = stream.Select(s => chunkOf[s.EventId].Item2).ToList();
                    Assert.Equal(order.Order(), order);
                }
            }
            foreach (var app in run.Apps)
            {
                Assert.Empty(app.Sidecar.Subscriptions!.Undelivered);
                Assert.Empty(app.Sidecar.Subscriptions.Skipped);
            }

            var latencies = new List<double>();
            foreach (var ((id, seq), listed) in listedAt)
            {
                var key = ObjectKeys.Chunk(StreamId.Parse(id), seq);
                var stored = run.Stores.Select(s => s.TryGetStoredAt(key, out var t) ? t : (long?)null).FirstOrDefault(t => t is not null);
                Assert.NotNull(stored);
                latencies.Add(System.Diagnostics.Stopwatch.GetElapsedTime(stored.Value, listed).TotalMilliseconds);
            }
            latencies.Sort();
            output.WriteLine(DaprRunTests.Invariant($"{broker}: chunk stored -> listed in live.m3u8, 3 live streams (320x180 10 fps, 1 s segments, DETECT_FPS 2), 2 Inference + 2 Playlist replicas: {latencies.Count} segments, p50 {DaprRunTests.Percentile(latencies, 0.5):0} ms, p95 {DaprRunTests.Percentile(latencies, 0.95):0} ms, max {latencies[^1]:0} ms"));
        }
        catch
        {
            output.WriteLine(run.Logs());
            throw;
        }
    }
}
