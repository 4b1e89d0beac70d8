using System.Diagnostics;
using System.Text.Json;
using Dapr.Client;
using DaprVideo.Core.Events;
using DaprVideo.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;

namespace DaprVideo.Tests.DaprAdapters;

/// <summary>DaprEventPublisher through DaprClient into the stand-in's broker: envelope, data, trace context, size.</summary>
public sealed class DaprEventPublisherTests : IAsyncLifetime
{
    private DaprSidecarStandIn _sidecar = null!;
    private DaprClient _client = null!;
    private DaprEventPublisher _publisher = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions { AppId = "ingest" });
        _client = new DaprClientBuilder().UseGrpcEndpoint(_sidecar.GrpcEndpoint).Build();
        _publisher = new DaprEventPublisher(_client, new DaprOptions());
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task Publishes_a_CloudEvent_with_the_event_as_json_data()
    {
        var chunk = new ChunkCaptured("cam-1", 4, "streams/cam-1/chunks/000004.ts", DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture), 12.0, 3.0, false);

        await _publisher.PublishAsync(Topics.Chunks, chunk);

        var published = Assert.Single(_sidecar.PubSub.Published);
        var ce = published.Json;
        Assert.Equal("chunks", published.Topic);
        Assert.Equal("1.0", (string?)ce["specversion"]);
        Assert.Equal("ingest", (string?)ce["source"]);
        Assert.Equal("com.dapr.event.sent", (string?)ce["type"]);
        Assert.Equal("application/json", (string?)ce["datacontenttype"]);
        Assert.Equal("pubsub", (string?)ce["pubsubname"]);
        Assert.Equal("chunks", (string?)ce["topic"]);
        Assert.False(string.IsNullOrEmpty((string?)ce["id"]));
        // camelCase, as the pipeline's JSON context writes it.
        Assert.Equal("streams/cam-1/chunks/000004.ts", (string?)ce["data"]!["chunkKey"]);
        Assert.Equal(chunk, ce["data"].Deserialize<ChunkCaptured>(DaprEventPublisher.EventJson));
    }

    [Fact]
    public async Task Carries_the_publishers_trace_into_the_envelope()
    {
        using var source = new ActivitySource("DaprVideo.Tests.Publish");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        using (var activity = source.StartActivity("publish")!)
        {
            await _publisher.PublishAsync(Topics.Streams, new StreamEnded("cam-1", 9));
            var traceParent = (string?)_sidecar.PubSub.Published.Single().Json["traceparent"];
            Assert.NotNull(traceParent);
            Assert.Equal(activity.TraceId.ToHexString(), traceParent.Split('-')[1]);
        }
    }

    [Fact]
    public async Task Refuses_an_event_that_would_carry_a_payload()
    {
        var bloated = new StreamEnded(new string('x', DaprEventPublisher.MaxEventBytes), 1);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _publisher.PublishAsync(Topics.Streams, bloated));
        Assert.Contains("StreamEnded", e.Message, StringComparison.Ordinal);
        Assert.Empty(_sidecar.PubSub.Published);
    }

    [Fact]
    public async Task Unknown_pubsub_is_a_clear_error()
    {
        var publisher = new DaprEventPublisher(_client, new DaprOptions { PubsubName = "kafka-typo" });
        var e = await Assert.ThrowsAsync<IOException>(() => publisher.PublishAsync(Topics.Streams, new StreamEnded("a", 1)));
        Assert.Contains("kafka-typo", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_pipeline_event_stays_far_below_64_KB()
    {
        // Worst case the contracts allow: 63-character stream ids, keys built from them, extreme numbers.
        var id = "a" + new string('z', 62);
        var start = DateTimeOffset.MaxValue;
        object[] events =
        [
            new ChunkCaptured(id, long.MaxValue, $"streams/{id}/chunks/{long.MaxValue}.ts", start, double.MaxValue, double.MaxValue, true),
            new SegmentAnnotated(id, long.MaxValue, $"streams/{id}/segments/{long.MaxValue}.ts", $"streams/{id}/segments/{long.MaxValue}.json", start, double.MaxValue, true, true),
            new StreamEnded(id, long.MaxValue),
        ];
        await _publisher.PublishAsync(Topics.Chunks, (ChunkCaptured)events[0]);
        await _publisher.PublishAsync(Topics.Segments, (SegmentAnnotated)events[1]);
        await _publisher.PublishAsync(Topics.Streams, (StreamEnded)events[2]);

        var sizes = _sidecar.PubSub.Published.Select(p => p.CloudEvent.Length).ToList();
        Assert.Equal(3, sizes.Count);
        Assert.All(sizes, size => Assert.InRange(size, 1, 64 * 1024 - 1));
        // A claim-check event is a few hundred bytes even in this worst case.
        Assert.All(sizes, size => Assert.True(size < 2048, $"event of {size} bytes"));
    }
}
