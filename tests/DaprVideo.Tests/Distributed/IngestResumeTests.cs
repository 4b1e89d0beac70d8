using System.Net;
using System.Text;
using System.Text.Json;
using DaprVideo.Core.Events;
using DaprVideo.Core.Streams;
using DaprVideo.DaprAdapters;
using DaprVideo.Ingest;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.Infrastructure;

namespace DaprVideo.Tests.Distributed;

/// <summary>Ingest keeps its registry in the object store and resumes its streams after a restart.</summary>
[Collection(CephRgwCollectionDefinition.Name)]
[Trait("Speed", "Slow")]
public sealed class IngestResumeTests(CephRgwFixture ceph, DetectorFixture detector) : IClassFixture<DetectorFixture>
{
    [Fact]
    public async Task A_restarted_Ingest_resumes_a_live_stream_after_its_last_stored_sequence_with_a_discontinuity()
    {
        await using var system = await DistributedSystem.StartAsync(ceph, detector.Detector, new DeliveryPolicy(), inference: false, playlists: 0);
        var id = StreamId.Parse("live-cam");
        using (var created = await system.AddStreamAsync(id.Value, "testsrc:size=160x120:rate=10"))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await Eventually.HoldsAsync(() => Task.FromResult(Chunks(system, id).Count), n => n >= 2, "two chunks before the restart", 60);
        await system.StopIngestAsync();
        var before = Chunks(system, id);
        var stored = StreamDescriptor.Parse((await system.ObjectAsync(ObjectKeys.StreamDescriptor(id)))!);
        Assert.Equal(StreamDescriptor.Running, stored.State); // a shutdown is not an end
        Assert.True(stored.Resumable);

        await system.StartIngestAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(Chunks(system, id).Count), n => n >= before.Count + 2, "chunks after the restart", 60);
        using (var status = await system.Ingest.Http.GetAsync($"api/streams/{id}"))
            Assert.Contains("\"state\":\"running\"", await status.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var stopped = await system.Ingest.Http.DeleteAsync($"api/streams/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, stopped.StatusCode);

        var all = Chunks(system, id);
        // One run of sequences, no repeat and no gap; the first resumed chunk marks the gap in time.
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(c => c.Sequence));
        var resumed = all[before.Count];
        Assert.True(resumed.Discontinuity);
        Assert.All(all.Where(c => c != resumed), c => Assert.False(c.Discontinuity));
        Assert.True(resumed.OffsetSeconds > before[^1].OffsetSeconds, "the media timeline runs on across the restart");
        var ended = Events<StreamEnded>(system, Topics.Streams).Single(e => e.StreamId == id.Value);
        Assert.Equal(all[^1].Sequence, ended.LastSequence);
        var final = StreamDescriptor.Parse((await system.ObjectAsync(ObjectKeys.StreamDescriptor(id)))!);
        Assert.Equal(StreamDescriptor.Ended, final.State);
        Assert.Equal(all[^1].Sequence, final.LastSequence);
    }

    [Fact]
    public async Task Credentials_are_never_stored_and_a_credentialed_stream_is_ended_not_resumed_after_a_restart()
    {
        await using var system = await DistributedSystem.StartAsync(ceph, detector.Detector, new DeliveryPolicy(), inference: false, playlists: 0);
        var secret = StreamId.Parse("cam-secret");
        // Nothing listens there: the capture fails fast, but the descriptor is written first.
        using (var created = await system.AddStreamAsync(secret.Value, "rtsp://viewer:s3cr3t-pw@127.0.0.1:9/cam"))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var json = (await system.ObjectAsync(ObjectKeys.StreamDescriptor(secret)))!;
        Assert.DoesNotContain("s3cr3t-pw", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.False(StreamDescriptor.Parse(json).Resumable);

        // A credentialed stream that was running when Ingest went down (written as Ingest would have left it).
        var orphan = StreamId.Parse("cam-orphan");
        var now = DateTimeOffset.UtcNow;
        await system.Objects.PutAsync(ObjectKeys.StreamDescriptor(orphan), new StreamDescriptor(orphan.Value, "rtsp://10.0.0.9/cam",
            StreamDescriptor.Running, null, true, false, Resumable: false, 4, 5.0, now, now, now).ToJsonBytes(), "application/json", default);

        await system.StopIngestAsync();
        await system.StartIngestAsync();
        var ended = await Eventually.HoldsAsync(() => Task.FromResult(Events<StreamEnded>(system, Topics.Streams)),
            e => e.Any(x => x.StreamId == orphan.Value), "the orphan's StreamEnded", 30);
        Assert.Equal(4, ended.Single(e => e.StreamId == orphan.Value).LastSequence);
        var status = await PipelineEndToEndTests.TextAsync(system.Ingest, $"api/streams/{orphan}");
        Assert.Contains("\"state\":\"failed\"", status, StringComparison.Ordinal);
        Assert.Contains(StreamCaptures.NotResumableError, status, StringComparison.Ordinal);
        // Its id stays taken: a new stream must not mix with its stored sequences.
        using var again = await system.AddStreamAsync(orphan.Value, "testsrc");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    private static List<ChunkCaptured> Chunks(DistributedSystem system, StreamId id) =>
        [.. Events<ChunkCaptured>(system, Topics.Chunks).Where(c => c.StreamId == id.Value)];

    private static List<T> Events<T>(DistributedSystem system, string topic) =>
        [.. system.Sidecar.PubSub.Published.Where(e => e.Topic == topic)
            .Select(e => e.Json["data"]!.Deserialize<T>(DaprEventPublisher.EventJson)!)];
}
