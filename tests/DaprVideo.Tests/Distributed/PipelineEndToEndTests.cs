using System.Net;
using System.Text;
using DaprVideo.Core.Streams;
using DaprVideo.DaprAdapters;
using DaprVideo.Media.Capture;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Distributed;

/// <summary>
/// The three services over the stand-in sidecar and real Ceph, the ModelServer on the real model: a file in,
/// annotated HLS out, through duplicated and reordered deliveries and an Inference restart.
/// </summary>
[Collection(CephRgwCollectionDefinition.Name)]
[Trait("Speed", "Slow")]
public sealed class PipelineEndToEndTests(CephRgwFixture ceph, DetectorFixture detector, ITestOutputHelper output) : IClassFixture<DetectorFixture>
{
    private static readonly string[] Photos = ["astronaut.png", "chelsea.png", "coffee.png"];

    /// <summary>6 s of three photos (2 s each), 320x180: six 1-s chunks.</summary>
    internal static async Task<string> MakeClipAsync(string folder)
    {
        var clip = Path.Combine(folder, "photos.mp4");
        await StillsClip.CreateAsync([.. Photos.Select(RepoPaths.Photo)], clip, secondsEach: 2, width: 320, height: 180);
        return clip;
    }

    [Fact]
    public async Task A_file_becomes_annotated_HLS_in_Ceph_identically_on_every_replica_despite_duplicates_reordering_and_an_Inference_restart()
    {
        var policy = new DeliveryPolicy { DuplicateProbability = 0.3, ReorderWindow = 3, ReorderMaxHold = TimeSpan.FromMilliseconds(100), Concurrency = 2, Seed = 7 };
        await using var system = await DistributedSystem.StartAsync(ceph, detector.Detector, policy, playlists: 2);
        var clip = await MakeClipAsync(system.MediaDirectory);
        var id = StreamId.Parse("e2e-photos");

        using (var created = await system.AddStreamAsync(id.Value, clip))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Restart Inference once the first segment is out and others are still to do.
        var recordsAtRestart = await Eventually.HoldsAsync(() => RecordsAsync(system, id), n => n >= 1, "a first segment record");
        await system.StopInferenceAsync();
        await system.StartInferenceAsync();

        var playlistA = system.Playlists[0];
        var index = await Eventually.HoldsAsync(() => TextAsync(playlistA, $"streams/{id}/index.m3u8"),
            t => t.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal), "ENDLIST on the full playlist", 180);
        await system.Sidecar.PubSub.WhenSettledAsync(TimeSpan.FromSeconds(60));

        // The stream's last sequence, as Ingest recorded it.
        var descriptor = StreamDescriptor.Parse((await system.ObjectAsync(ObjectKeys.StreamDescriptor(id)))!);
        Assert.Equal(StreamDescriptor.Ended, descriptor.State);
        var last = descriptor.LastSequence;
        Assert.InRange(last, 4, 7); // ~6 chunks of ~1 s
        Assert.InRange(recordsAtRestart, 1, (int)last); // the restart really was mid-stream
        output.WriteLine($"restart after {recordsAtRestart} of {last + 1} segments");

        // Objects in Ceph under the documented keys; raw chunks deleted once annotated (DEBUG off).
        var keys = await system.KeysAsync(ObjectKeys.StreamPrefix(id));
        for (var seq = 0L; seq <= last; seq++)
        {
            Assert.Contains(ObjectKeys.Segment(id, seq), keys);
            Assert.Contains(ObjectKeys.SegmentRecord(id, seq), keys);
        }
        Assert.DoesNotContain(keys, k => k.StartsWith($"streams/{id}/chunks/", StringComparison.Ordinal));
        Assert.Contains(ObjectKeys.StreamEnd(id), keys);
        var firstSegment = (await system.ObjectAsync(ObjectKeys.Segment(id, 0)))!;
        Assert.Equal(0x47, firstSegment[0]); // MPEG-TS sync byte
        var annotatedPerson = Encoding.UTF8.GetString((await system.ObjectAsync(ObjectKeys.SegmentRecord(id, 0)))!);
        Assert.Contains("\"person\"", annotatedPerson, StringComparison.Ordinal); // the astronaut, found through the ModelServer

        // The full playlist lists every segment once, in order, and ends.
        var uris = SegmentUris(index);
        Assert.Equal(Enumerable.Range(0, (int)last + 1).Select(s => ObjectKeys.SegmentUri(s)), uris);
        Assert.DoesNotContain("#EXT-X-DISCONTINUITY\n", index, StringComparison.Ordinal);
        var live = await TextAsync(playlistA, $"streams/{id}/live.m3u8");
        Assert.Equal(uris.TakeLast(SegmentUris(live).Count), SegmentUris(live));
        Assert.EndsWith("#EXT-X-ENDLIST\n", live, StringComparison.Ordinal);

        // The stand-in really duplicated and reordered, and nothing was dead-lettered.
        var deliveries = system.Sidecar.PubSub.Deliveries;
        Assert.Contains(deliveries, d => d.Duplicate);
        Assert.Empty(system.Sidecar.PubSub.Undelivered);
        var orderA = SegmentDeliveryOrder(deliveries, "playlist");
        var orderB = SegmentDeliveryOrder(deliveries, "playlist-1");
        output.WriteLine($"segment deliveries to A: {string.Join(",", orderA)}; to B: {string.Join(",", orderB)}");
        Assert.NotEqual(orderA, orderB);

        // Byte-identical playlists on both subscribed replicas and on a replica that saw no event at all.
        var late = await system.StartPlaylistAsync("playlist-late", subscribe: false);
        foreach (var name in new[] { "live.m3u8", "index.m3u8" })
        {
            var a = await BytesAsync(playlistA, $"streams/{id}/{name}");
            Assert.Equal(a, await BytesAsync(system.Playlists[1], $"streams/{id}/{name}"));
            Assert.Equal(a, await BytesAsync(late, $"streams/{id}/{name}"));
        }

        // HLS answers: types and caching.
        using var playlistResponse = await playlistA.Http.GetAsync($"streams/{id}/live.m3u8");
        Assert.Equal("application/vnd.apple.mpegurl", playlistResponse.Content.Headers.ContentType!.MediaType);
        Assert.True(playlistResponse.Headers.CacheControl!.NoCache);
        using var segmentResponse = await playlistA.Http.GetAsync($"streams/{id}/{ObjectKeys.SegmentUri(0)}");
        Assert.Equal("video/mp2t", segmentResponse.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", segmentResponse.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal(firstSegment, await segmentResponse.Content.ReadAsByteArrayAsync());

        // Claim-check: every event on the broker is small.
        var published = system.Sidecar.PubSub.Published;
        Assert.NotEmpty(published);
        Assert.All(published, e => Assert.True(e.CloudEvent.Length < DaprEventPublisher.MaxEventBytes, $"{e.Topic} event of {e.CloudEvent.Length} bytes"));
        output.WriteLine($"largest event: {published.Max(e => e.CloudEvent.Length)} bytes");
    }

    private static async Task<int> RecordsAsync(DistributedSystem system, StreamId id) =>
        (await system.KeysAsync(ObjectKeys.SegmentsPrefix(id))).Count(k => k.EndsWith(".json", StringComparison.Ordinal));

    internal static async Task<string> TextAsync(ServiceApp app, string path)
    {
        using var response = await app.Http.GetAsync(path);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : $"HTTP {(int)response.StatusCode}";
    }

    private static async Task<byte[]> BytesAsync(ServiceApp app, string path)
    {
        using var response = await app.Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    internal static List<string> SegmentUris(string playlist) =>
        [.. playlist.Split('\n').Where(l => l.StartsWith("segments/", StringComparison.Ordinal))];

    private static List<string> SegmentDeliveryOrder(IReadOnlyList<DeliveryRecord> deliveries, string appId) =>
        [.. deliveries.Where(d => d.AppId == appId && d.Topic == "segments").Select(d => d.EventId)];
}
